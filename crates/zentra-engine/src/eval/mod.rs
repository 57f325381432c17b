//! Evaluating configuration expressions into [`Value`]s: variables, locals, references between
//! resources, string templates, operators, `for` expressions and the built-in functions.
//!
//! zentra evaluates hcl-edit's syntax tree itself (rather than through hcl-rs's evaluator) so
//! that values carry the two marks a plan needs: unknown until apply, and sensitive. Every error
//! names the expression's file:line:column.

mod functions;
mod resource_body;

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::path::Path;

use hcl::edit::Span as _;
use hcl::edit::expr::{BinaryOperator, Expression, ObjectKey, TraversalOperator, UnaryOperator};
use hcl::edit::template::{Directive, Element, Template};
use indexmap::IndexMap;

use crate::addr::{ModuleStep, ResourceAddr};
use crate::config::{Config, Expr};
use crate::diag::{Diagnostic, FileId, SourceMap, Span};
use crate::env::Environment;
use crate::value::Value;

pub use functions::FUNCTION_NAMES;
pub(crate) use functions::redact_value;
pub use resource_body::{EvaluatedBody, eval_block_body};

/// What error messages show instead of a sensitive value.
pub(crate) const SENSITIVE_SHOWN: &str = crate::redact::SHOWN;

/// Names that are not resource types at the root of a reference.
const RESERVED_ROOTS: &[&str] = &[
    "var", "local", "data", "self", "each", "count", "path", "module",
];

/// Everything an expression can refer to.
pub struct EvalContext<'a> {
    pub config: &'a Config,
    pub env: &'a Environment,
    /// `var.*`, already converted to their declared types.
    pub vars: &'a IndexMap<String, Value>,
    /// Attribute objects of resources evaluated so far; a declared resource missing here
    /// evaluates as unknown (known after apply).
    pub resources: &'a HashMap<ResourceAddr, Value>,
    locals: RefCell<HashMap<(ModulePath, String), Value>>,
    locals_in_progress: RefCell<HashSet<(ModulePath, String)>>,
    scopes: RefCell<Vec<IndexMap<String, Value>>>,
    /// The module instance whose expressions are evaluated (empty: the root module).
    module: RefCell<ModulePath>,
    /// Module variables and outputs evaluated so far, by module instance.
    module_values: RefCell<HashMap<(ModulePath, ModuleValue), Value>>,
    module_in_progress: RefCell<HashSet<(ModulePath, ModuleValue)>>,
    /// How many errors about names that do not exist (an undeclared variable, local, resource,
    /// module or function) were made: `try` and `can` let those through, as Terraform does, so
    /// that a typo is reported rather than silently replaced by a fallback.
    reference_errors: Cell<usize>,
}

/// The path of a module instance, outermost first.
type ModulePath = Vec<ModuleStep>;

/// A value a module instance has: one of its variables, or one of its outputs.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum ModuleValue {
    Variable(String),
    Output(String),
}

impl<'a> EvalContext<'a> {
    pub fn new(
        config: &'a Config,
        env: &'a Environment,
        vars: &'a IndexMap<String, Value>,
        resources: &'a HashMap<ResourceAddr, Value>,
    ) -> Self {
        EvalContext {
            config,
            env,
            vars,
            resources,
            locals: RefCell::default(),
            locals_in_progress: RefCell::default(),
            scopes: RefCell::default(),
            module: RefCell::default(),
            module_values: RefCell::default(),
            module_in_progress: RefCell::default(),
            reference_errors: Cell::new(0),
        }
    }

    /// Evaluates what follows in the module instance at `path` (a resource of it, its locals
    /// and outputs): `var.`, `local.`, `module.` and resource references are that module's.
    /// Returns the path evaluated in until now.
    pub fn set_module(&self, path: &[ModuleStep]) -> Vec<ModuleStep> {
        std::mem::replace(&mut *self.module.borrow_mut(), path.to_vec())
    }

    /// The configuration of the module evaluated in.
    fn scope_config(&self) -> &'a Config {
        self.config
            .module_scope(&self.module.borrow())
            .unwrap_or(self.config)
    }

    /// Runs `f` in the module instance at `path` with only `names` in scope (no `each`, no
    /// `for` variables of the expression being evaluated).
    fn in_module<T>(
        &self,
        path: &[ModuleStep],
        names: Vec<IndexMap<String, Value>>,
        f: impl FnOnce() -> T,
    ) -> T {
        let before = self.set_module(path);
        let scopes = std::mem::replace(&mut *self.scopes.borrow_mut(), names);
        let out = f();
        *self.scopes.borrow_mut() = scopes;
        self.set_module(&before);
        out
    }

    /// `addr` (written in the module evaluated in) with that module's path.
    fn here(&self, mut addr: ResourceAddr) -> ResourceAddr {
        addr.module = self.module.borrow().clone();
        addr
    }

    /// Adds names to the scope of what is evaluated next (`each`, `count` of an instance),
    /// until [`EvalContext::pop_scope`].
    pub fn push_scope(&self, scope: IndexMap<String, Value>) {
        self.scopes.borrow_mut().push(scope);
    }

    pub fn pop_scope(&self) {
        self.scopes.borrow_mut().pop();
    }

    pub fn sources(&self) -> &SourceMap {
        &self.config.sources
    }

    /// The configuration directory: what `file()` paths are relative to, in every module (as
    /// in Terraform, where a module reads its own files with `file("${path.module}/...")`).
    pub fn base_dir(&self) -> &Path {
        &self.config.dir
    }

    /// `path.module`, `path.root` and `path.cwd`, as Terraform gives them: the module's
    /// directory relative to the root one (`.` in the root), `.`, and the working directory.
    fn path_value(&self, file: FileId, root: &Expression, attr: &str) -> Result<Value, Diagnostic> {
        match attr {
            "module" => {
                let module = &self.scope_config().dir;
                let relative = match module.strip_prefix(&self.config.dir) {
                    Ok(r) if r.as_os_str().is_empty() => ".".to_string(),
                    Ok(r) => r.to_string_lossy().replace('\\', "/"),
                    Err(_) => module.to_string_lossy().into_owned(),
                };
                Ok(Value::str(relative))
            }
            "root" => Ok(Value::str(".")),
            "cwd" => Ok(Value::str(self.config.dir.to_string_lossy())),
            other => Err(self
                .reference_error(file, root, format!("`path.{other}` is not defined"))
                .with_hint("use path.module, path.root or path.cwd")),
        }
    }

    /// Evaluates one expression from configuration.
    pub fn eval(&self, expr: &Expr) -> Result<Value, Diagnostic> {
        self.eval_expr(expr.file, &expr.expr)
    }

    fn error(&self, file: FileId, expr: &Expression, msg: impl Into<String>) -> Diagnostic {
        Diagnostic::error(msg).at_span(self.sources(), Span::new(file, expr.span()).as_ref())
    }

    /// An error about a name that does not exist, which `try` and `can` do not catch.
    fn reference_error(
        &self,
        file: FileId,
        expr: &Expression,
        msg: impl Into<String>,
    ) -> Diagnostic {
        self.reference_errors.set(self.reference_errors.get() + 1);
        self.error(file, expr, msg)
    }

    pub(crate) fn eval_expr(&self, file: FileId, expr: &Expression) -> Result<Value, Diagnostic> {
        match expr {
            Expression::Null(_) => Ok(Value::Null),
            Expression::Bool(b) => Ok(Value::Bool(*b.value())),
            Expression::Number(n) => {
                let n = n.value();
                let num = if let Some(i) = n.as_i64() {
                    serde_json::Number::from(i)
                } else {
                    n.as_f64()
                        .and_then(serde_json::Number::from_f64)
                        .ok_or_else(|| self.error(file, expr, "number out of range"))?
                };
                Ok(Value::Number(num))
            }
            Expression::String(s) => Ok(Value::String(s.value().clone())),
            Expression::Array(items) => items
                .iter()
                .map(|e| self.eval_expr(file, e))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::List),
            Expression::Object(obj) => {
                let mut map = IndexMap::new();
                let mut sensitive_key = false;
                for (key, value) in obj.iter() {
                    let k = match key {
                        ObjectKey::Ident(id) => id.as_str().to_string(),
                        ObjectKey::Expression(e) => {
                            let kv = self.eval_expr(file, e)?;
                            let (kv, sens) = kv.unmark();
                            sensitive_key |= sens;
                            match kv {
                                Value::String(s) => s.clone(),
                                Value::Number(n) => n.to_string(),
                                Value::Bool(b) => b.to_string(),
                                Value::Unknown => return Ok(Value::Unknown),
                                other => {
                                    return Err(self.error(
                                        file,
                                        e,
                                        format!(
                                            "object keys must be strings, found a {}",
                                            other.type_name()
                                        ),
                                    ));
                                }
                            }
                        }
                    };
                    map.insert(k, self.eval_expr(file, value.expr())?);
                }
                let v = Value::Object(map);
                Ok(if sensitive_key { v.mark_sensitive() } else { v })
            }
            Expression::StringTemplate(t) => self.eval_template(file, t, None),
            Expression::HeredocTemplate(h) => self.eval_template(file, &h.template, h.indent()),
            Expression::Parenthesis(p) => self.eval_expr(file, p.inner()),
            Expression::Variable(v) => self.eval_variable(file, expr, v.as_str()),
            Expression::Conditional(c) => {
                let cond = self.eval_expr(file, &c.cond_expr)?;
                let (cond_v, sens) = cond.unmark();
                let chosen = match cond_v {
                    Value::Bool(true) => self.eval_expr(file, &c.true_expr)?,
                    Value::Bool(false) => self.eval_expr(file, &c.false_expr)?,
                    Value::Unknown => return Ok(Value::Unknown),
                    other => {
                        return Err(self.error(
                            file,
                            &c.cond_expr,
                            format!(
                                "a condition must be true or false, found a {}",
                                other.type_name()
                            ),
                        ));
                    }
                };
                Ok(if sens {
                    chosen.mark_sensitive()
                } else {
                    chosen
                })
            }
            Expression::FuncCall(call) => {
                let name = call.name.name.as_str();
                if call.name.is_namespaced() {
                    return Err(self.reference_error(
                        file,
                        expr,
                        format!("unknown function `{}`", call.name.name.as_str()),
                    ));
                }
                if functions::SPECIAL_FORMS.contains(&name) {
                    return self.eval_try(file, expr, call, name == "can");
                }
                let mut args = Vec::new();
                for arg in call.args.iter() {
                    args.push(self.eval_expr(file, arg)?);
                }
                if call.args.expand_final() {
                    match args.pop().map(|v| v.unmark().0.clone()) {
                        Some(Value::List(items)) => args.extend(items),
                        Some(Value::Unknown) => return Ok(Value::Unknown),
                        _ => {
                            return Err(self.error(
                                file,
                                expr,
                                "only a list can be expanded with `...`",
                            ));
                        }
                    }
                }
                functions::call(self, name, args).map_err(|msg| {
                    if functions::FUNCTION_NAMES.contains(&name) {
                        self.error(file, expr, msg)
                    } else {
                        let d = self.reference_error(file, expr, msg);
                        match crate::diag::did_you_mean(
                            name,
                            functions::FUNCTION_NAMES.iter().copied(),
                        ) {
                            Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                            None => d.with_hint(format!(
                                "functions available: {}",
                                functions::FUNCTION_NAMES.join(", ")
                            )),
                        }
                    }
                })
            }
            Expression::Traversal(t) => {
                let (root, ops) = self.eval_traversal_root(file, &t.expr, &t.operators)?;
                self.apply_operators(file, expr, root, ops)
            }
            Expression::UnaryOp(op) => {
                let v = self.eval_expr(file, &op.expr)?;
                let (inner, sens) = v.unmark();
                let out = match (op.operator.value(), inner) {
                    (_, Value::Unknown) => Value::Unknown,
                    (UnaryOperator::Not, Value::Bool(b)) => Value::Bool(!b),
                    (UnaryOperator::Neg, Value::Number(n)) => Value::Number(negate(n)),
                    (o, other) => {
                        return Err(self.error(
                            file,
                            expr,
                            format!(
                                "operator `{}` cannot be applied to a {}",
                                o.as_str(),
                                other.type_name()
                            ),
                        ));
                    }
                };
                Ok(if sens { out.mark_sensitive() } else { out })
            }
            Expression::BinaryOp(op) => {
                let lhs = self.eval_expr(file, &op.lhs_expr)?;
                let rhs = self.eval_expr(file, &op.rhs_expr)?;
                let (l, ls) = lhs.unmark();
                let (r, rs) = rhs.unmark();
                let out = binary(*op.operator.value(), l, r)
                    .map_err(|msg| self.error(file, expr, msg))?;
                Ok(if ls || rs { out.mark_sensitive() } else { out })
            }
            Expression::ForExpr(f) => self.eval_for(file, expr, f),
        }
    }

    /// `try(a, b, ...)`: the value of the first argument that evaluates without an error;
    /// `can(a)`: whether `a` evaluates without an error. Either is unknown when the argument
    /// that succeeds is not fully known (it could still fail once known), and neither catches
    /// an error about a name that does not exist.
    fn eval_try(
        &self,
        file: FileId,
        expr: &Expression,
        call: &hcl::edit::expr::FuncCall,
        can: bool,
    ) -> Result<Value, Diagnostic> {
        let name = if can { "can" } else { "try" };
        if call.args.expand_final() {
            return Err(self.error(
                file,
                expr,
                format!("{name}(): arguments cannot be expanded with `...`"),
            ));
        }
        let count = call.args.iter().count();
        if can && count != 1 {
            return Err(self.error(
                file,
                expr,
                format!("can(): takes 1 argument(s), got {count}"),
            ));
        }
        if count == 0 {
            return Err(self.error(file, expr, "try(): takes at least 1 argument(s), got 0"));
        }
        let mut failures = Vec::new();
        for arg in call.args.iter() {
            let before = self.reference_errors.get();
            match self.eval_expr(file, arg) {
                Ok(v) if v.contains_unknown() => return Ok(Value::Unknown),
                Ok(v) => return Ok(if can { Value::Bool(true) } else { v }),
                Err(d) if self.reference_errors.get() != before => return Err(d),
                Err(d) => failures.push(d.summary),
            }
        }
        if can {
            return Ok(Value::Bool(false));
        }
        let detail = failures
            .iter()
            .enumerate()
            .map(|(i, f)| format!("argument {}: {f}", i + 1))
            .collect::<Vec<_>>()
            .join("\n");
        Err(self
            .error(file, expr, "try(): no argument could be evaluated")
            .with_detail(detail))
    }

    fn eval_variable(
        &self,
        file: FileId,
        expr: &Expression,
        name: &str,
    ) -> Result<Value, Diagnostic> {
        for scope in self.scopes.borrow().iter().rev() {
            if let Some(v) = scope.get(name) {
                return Ok(v.clone());
            }
        }
        match name {
            "var" if self.module.borrow().is_empty() => Ok(Value::Object(self.vars.clone())),
            "var" => {
                let path = self.module.borrow().clone();
                let mut map = IndexMap::new();
                for key in self.scope_config().variables.keys() {
                    map.insert(key.clone(), self.module_variable(&path, key)?);
                }
                Ok(Value::Object(map))
            }
            "local" => {
                let mut map = IndexMap::new();
                for key in self.scope_config().locals.keys() {
                    map.insert(key.clone(), self.local(file, expr, key)?);
                }
                Ok(Value::Object(map))
            }
            _ => Err(self
                .reference_error(file, expr, format!("unknown name `{name}`"))
                .with_hint(
                "refer to variables as var.NAME, locals as local.NAME and resources as TYPE.NAME.ATTRIBUTE",
            )),
        }
    }

    /// Evaluates the declared local value `name` (so that one nothing refers to is checked too).
    pub fn eval_local(&self, name: &str) -> Result<Value, Diagnostic> {
        let Some(local_expr) = self.scope_config().locals.get(name) else {
            return Err(Diagnostic::error(format!("no local value named `{name}`")));
        };
        self.local(local_expr.file, &local_expr.expr, name)
    }

    fn local(&self, file: FileId, expr: &Expression, name: &str) -> Result<Value, Diagnostic> {
        let key = (self.module.borrow().clone(), name.to_string());
        if let Some(v) = self.locals.borrow().get(&key) {
            return Ok(v.clone());
        }
        let scope = self.scope_config();
        let Some(local_expr) = scope.locals.get(name) else {
            let d = self.reference_error(file, expr, format!("no local value named `{name}`"));
            return Err(
                match crate::diag::did_you_mean(name, scope.locals.keys().map(String::as_str)) {
                    Some(s) => d.with_hint(format!("did you mean `local.{s}`?")),
                    None => d.with_hint("declare it in a `locals { ... }` block"),
                },
            );
        };
        if !self.locals_in_progress.borrow_mut().insert(key.clone()) {
            return Err(self.error(file, expr, format!("local value `{name}` refers to itself")));
        }
        let result = self.eval(local_expr);
        self.locals_in_progress.borrow_mut().remove(&key);
        let v = result?;
        self.locals.borrow_mut().insert(key, v.clone());
        Ok(v)
    }

    /// Resolves the root of a traversal (which may consume some operators, for `var.x`,
    /// `local.x` and resource references) and returns the operators left to apply.
    fn eval_traversal_root<'e>(
        &self,
        file: FileId,
        root: &Expression,
        ops: &'e [hcl::edit::Decorated<TraversalOperator>],
    ) -> Result<(Value, &'e [hcl::edit::Decorated<TraversalOperator>]), Diagnostic> {
        let Expression::Variable(var) = root else {
            return Ok((self.eval_expr(file, root)?, ops));
        };
        let name = var.as_str();
        if self.scopes.borrow().iter().any(|s| s.contains_key(name)) {
            return Ok((self.eval_variable(file, root, name)?, ops));
        }
        let attr_at = |i: usize| -> Option<&str> {
            match ops.get(i).map(|o| o.value()) {
                Some(TraversalOperator::GetAttr(id)) => Some(id.as_str()),
                _ => None,
            }
        };
        match name {
            "var" => {
                let Some(key) = attr_at(0) else {
                    return Ok((self.eval_variable(file, root, name)?, ops));
                };
                let path = self.module.borrow().clone();
                if !path.is_empty() && self.scope_config().variables.contains_key(key) {
                    return Ok((self.module_variable(&path, key)?, &ops[1..]));
                }
                match self.vars.get(key).filter(|_| path.is_empty()) {
                    Some(v) => Ok((v.clone(), &ops[1..])),
                    None => {
                        let d =
                            self.reference_error(file, root, format!("no variable named `{key}`"));
                        Err(
                            match crate::diag::did_you_mean(
                                key,
                                self.scope_config().variables.keys().map(String::as_str),
                            ) {
                                Some(s) => d.with_hint(format!("did you mean `var.{s}`?")),
                                None => d.with_hint(format!(
                                    "declare it with `variable \"{key}\" {{}}`"
                                )),
                            },
                        )
                    }
                }
            }
            "local" => match attr_at(0) {
                Some(key) => Ok((self.local(file, root, key)?, &ops[1..])),
                None => Ok((self.eval_variable(file, root, name)?, ops)),
            },
            "data" => match (attr_at(0), attr_at(1)) {
                (Some(t), Some(n)) => {
                    let addr = self.here(ResourceAddr::data(t, n));
                    Ok((self.resource_value(file, root, &addr)?, &ops[2..]))
                }
                _ => Err(self.error(
                    file,
                    root,
                    "a data source reference needs a type and a name: data.TYPE.NAME",
                )),
            },
            "path" => match attr_at(0) {
                Some(attr) => Ok((self.path_value(file, root, attr)?, &ops[1..])),
                None => Err(self
                    .error(
                        file,
                        root,
                        "`path` needs an attribute: path.module, path.root or path.cwd",
                    )
                    .with_hint("write path.module for the directory of the module this is in")),
            },
            "module" => match attr_at(0) {
                Some(call) => Ok((self.module_reference(file, root, call)?, &ops[1..])),
                None => Err(self
                    .error(file, root, "a module reference needs a name: module.NAME")
                    .with_hint("refer to a module's outputs as module.NAME.OUTPUT")),
            },
            "each" => Err(self
                .error(
                    file,
                    root,
                    "`each` is only available in a block with `for_each`",
                )
                .with_hint("add `for_each = ...` to the block, or refer to the value itself")),
            "count" => Err(self
                .error(
                    file,
                    root,
                    "`count` is only available in a block with `count`",
                )
                .with_hint("add `count = ...` to the block, or write the number itself")),
            _ if RESERVED_ROOTS.contains(&name) => Err(self.error(
                file,
                root,
                format!("`{name}` is not supported in zentra configurations"),
            )),
            type_name => match attr_at(0) {
                Some(n) => {
                    let addr = self.here(ResourceAddr::managed(type_name, n));
                    Ok((self.resource_value(file, root, &addr)?, &ops[1..]))
                }
                None => Err(self
                    .reference_error(file, root, format!("unknown name `{type_name}`"))
                    .with_hint("refer to resources as TYPE.NAME.ATTRIBUTE, variables as var.NAME")),
            },
        }
    }

    fn resource_value(
        &self,
        file: FileId,
        expr: &Expression,
        addr: &ResourceAddr,
    ) -> Result<Value, Diagnostic> {
        if let Some(v) = self.resources.get(addr) {
            return Ok(v.clone());
        }
        if let Some(expansion) = self.config.expansions.get(addr) {
            return Ok(expansion.collect(addr, |instance| {
                self.resources
                    .get(instance)
                    .cloned()
                    .unwrap_or(Value::Unknown)
            }));
        }
        if self.config.resources.contains_key(addr) {
            return Ok(Value::Unknown);
        }
        // A module's resource before its module's instances are laid out.
        let local = ResourceAddr {
            module: Vec::new(),
            ..addr.block()
        };
        if !addr.module.is_empty() && self.scope_config().resources.contains_key(&local) {
            return Ok(Value::Unknown);
        }
        let d = self.reference_error(
            file,
            expr,
            format!("reference to undeclared resource `{addr}`"),
        );
        let same_type: Vec<String> = self
            .config
            .resources
            .keys()
            .filter(|a| a.type_name == addr.type_name && a.mode == addr.mode)
            .map(|a| a.block().to_string())
            .collect();
        let addr_s = addr.to_string();
        Err(
            match crate::diag::did_you_mean(&addr_s, same_type.iter().map(String::as_str)) {
                Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                None => d.with_hint(format!(
                    "declare it with `resource \"{}\" \"{}\" {{ ... }}`, or fix the reference",
                    addr.type_name, addr.name
                )),
            },
        )
    }

    /// `var.NAME` in the module instance at `path`: what the module block gives it (evaluated
    /// in the calling module, with the instance's `each` or `count`), else its default,
    /// converted to the variable's type.
    fn module_variable(&self, path: &[ModuleStep], name: &str) -> Result<Value, Diagnostic> {
        let key = (path.to_vec(), ModuleValue::Variable(name.to_string()));
        if let Some(v) = self.module_values.borrow().get(&key) {
            return Ok(v.clone());
        }
        let (Some(scope), Some(call)) = (
            self.config.module_scope(path),
            self.config.module_call(path),
        ) else {
            return Ok(Value::Unknown);
        };
        let Some(decl) = scope.variables.get(name) else {
            return Ok(Value::Unknown);
        };
        if !self.module_in_progress.borrow_mut().insert(key.clone()) {
            return Err(Diagnostic::error(format!(
                "input `{name}` of `{}` refers to itself",
                module_display(path)
            ))
            .at_span(
                self.sources(),
                call.inputs.get(name).and_then(|i| i.expr.span()).as_ref(),
            ));
        }
        let parent = &path[..path.len() - 1];
        let given = call.inputs.get(name).map(|input| {
            let names = self.module_instance_scope(path);
            (
                self.in_module(parent, names, || self.eval(&input.expr)),
                input.expr.span(),
            )
        });
        let default = || {
            decl.default
                .as_ref()
                .map(|d| self.in_module(path, Vec::new(), || self.eval(d)))
        };
        let result = (|| {
            let (mut value, span) = match given {
                Some((v, span)) => (v?, span),
                None => (default().transpose()?.unwrap_or(Value::Null), None),
            };
            if !decl.nullable && value == Value::Null {
                value = default().transpose()?.unwrap_or(Value::Null);
            }
            let value = decl.ty.convert(value.clone()).map_err(|msg| {
                let msg = if decl.sensitive {
                    redact_value(&msg, &value)
                } else {
                    msg
                };
                Diagnostic::error(format!(
                    "input `{name}` of `{}` must be {}: {msg}",
                    module_display(path),
                    decl.ty
                ))
                .at_span(self.sources(), span.as_ref().or(call.span.as_ref()))
            })?;
            Ok(if decl.sensitive {
                value.mark_sensitive()
            } else {
                value
            })
        })();
        self.module_in_progress.borrow_mut().remove(&key);
        let value = result?;
        self.module_values.borrow_mut().insert(key, value.clone());
        Ok(value)
    }

    /// What `each` or `count` stands for in the arguments of the module instance at `path`,
    /// with `each.value` evaluated again when it was unknown when the block was expanded.
    fn module_instance_scope(&self, path: &[ModuleStep]) -> Vec<IndexMap<String, Value>> {
        let Some(binding) = self
            .config
            .module_instances
            .get(path)
            .and_then(|i| i.binding.clone())
        else {
            return Vec::new();
        };
        if let (Some(value), Some(crate::config::Repetition::ForEach(expr)), Some(step)) = (
            &binding.each_value,
            self.config
                .module_call(path)
                .and_then(|c| c.repetition.as_ref()),
            path.last(),
        ) && value.contains_unknown()
            && let Some(crate::addr::InstanceKey::Name(key)) = &step.key
            && let Ok(all) = self.in_module(&path[..path.len() - 1], Vec::new(), || self.eval(expr))
            && let Some(now) = all.unmark().0.get(key)
        {
            let now = if all.unmark().1 {
                now.clone().mark_sensitive()
            } else {
                now.clone()
            };
            return vec![
                crate::expand::InstanceBinding {
                    key: binding.key.clone(),
                    each_value: Some(now),
                }
                .scope(),
            ];
        }
        vec![binding.scope()]
    }

    /// `module.NAME` in the module evaluated in: the outputs of its instance, or an object (by
    /// key) or list (by index) of its instances' outputs.
    fn module_reference(
        &self,
        file: FileId,
        expr: &Expression,
        name: &str,
    ) -> Result<Value, Diagnostic> {
        let here = self.module.borrow().clone();
        let scope = self.scope_config();
        let Some(call) = scope.module_calls.get(name) else {
            let d = self.reference_error(file, expr, format!("no module named `{name}`"));
            return Err(
                match crate::diag::did_you_mean(name, scope.module_calls.keys().map(String::as_str))
                {
                    Some(s) => d.with_hint(format!("did you mean `module.{s}`?")),
                    None => d.with_hint(format!(
                        "declare it with `module \"{name}\" {{ source = \"./modules/{name}\" }}`"
                    )),
                },
            );
        };
        let instance = |key: Option<crate::addr::InstanceKey>| -> Result<Value, Diagnostic> {
            let mut path = here.clone();
            path.push(ModuleStep {
                name: name.to_string(),
                key,
            });
            if !self.config.module_instances.contains_key(&path) {
                return Ok(Value::Unknown);
            }
            let mut outputs = IndexMap::new();
            for output in call.config.outputs.keys() {
                outputs.insert(output.clone(), self.module_output(&path, output)?);
            }
            Ok(Value::Object(outputs))
        };
        if call.repetition.is_none() {
            return instance(None);
        }
        match self
            .config
            .module_expansions
            .get(&(here.clone(), name.to_string()))
        {
            None => Ok(Value::Unknown),
            Some(crate::expand::Expansion::Keys(keys)) => {
                let mut map = IndexMap::new();
                for k in keys {
                    map.insert(
                        k.clone(),
                        instance(Some(crate::addr::InstanceKey::Name(k.clone())))?,
                    );
                }
                Ok(Value::Object(map))
            }
            Some(crate::expand::Expansion::Count(n)) => (0..*n)
                .map(|i| instance(Some(crate::addr::InstanceKey::Index(i))))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::List),
        }
    }

    /// The output `name` of the module instance at `path`.
    pub fn module_output(&self, path: &[ModuleStep], name: &str) -> Result<Value, Diagnostic> {
        let key = (path.to_vec(), ModuleValue::Output(name.to_string()));
        if let Some(v) = self.module_values.borrow().get(&key) {
            return Ok(v.clone());
        }
        let Some(output) = self
            .config
            .module_scope(path)
            .and_then(|s| s.outputs.get(name))
        else {
            return Ok(Value::Unknown);
        };
        if !self.module_in_progress.borrow_mut().insert(key.clone()) {
            return Err(Diagnostic::error(format!(
                "output `{name}` of `{}` refers to itself",
                module_display(path)
            ))
            .at_span(self.sources(), output.value.span().as_ref()));
        }
        let result = self.in_module(path, Vec::new(), || self.eval(&output.value));
        self.module_in_progress.borrow_mut().remove(&key);
        let value = result?;
        let value = if output.sensitive {
            value.mark_sensitive()
        } else {
            value
        };
        self.module_values.borrow_mut().insert(key, value.clone());
        Ok(value)
    }

    fn apply_operators(
        &self,
        file: FileId,
        expr: &Expression,
        value: Value,
        ops: &[hcl::edit::Decorated<TraversalOperator>],
    ) -> Result<Value, Diagnostic> {
        let Some((first, rest)) = ops.split_first() else {
            return Ok(value);
        };
        let (inner, sens) = value.unmark();
        let mark = |v: Value| if sens { v.mark_sensitive() } else { v };
        if matches!(inner, Value::Unknown) {
            return Ok(Value::Unknown);
        }
        let next = match first.value() {
            TraversalOperator::GetAttr(name) => match inner {
                Value::Object(map) => match map.get(name.as_str()) {
                    Some(v) => v.clone(),
                    None => {
                        let d = self.error(file, expr, format!("no attribute `{}`", name.as_str()));
                        return Err(
                            match crate::diag::did_you_mean(
                                name.as_str(),
                                map.keys().map(String::as_str),
                            ) {
                                Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                                None => d,
                            },
                        );
                    }
                },
                Value::Null => {
                    return Err(self.error(
                        file,
                        expr,
                        format!("cannot read attribute `{}` of null", name.as_str()),
                    ));
                }
                other => {
                    return Err(self.error(
                        file,
                        expr,
                        format!(
                            "cannot read attribute `{}` of a {}",
                            name.as_str(),
                            other.type_name()
                        ),
                    ));
                }
            },
            TraversalOperator::Index(index_expr) => {
                let idx = self.eval_expr(file, index_expr)?;
                self.index(file, expr, inner, &idx)?
            }
            TraversalOperator::LegacyIndex(i) => self.index(
                file,
                expr,
                inner,
                &Value::from(i64::try_from(*i.value()).unwrap_or(i64::MAX)),
            )?,
            TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                let items = match inner {
                    Value::List(items) => items.clone(),
                    Value::Null => Vec::new(),
                    other => vec![other.clone()],
                };
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(self.apply_operators(file, expr, item, rest)?);
                }
                return Ok(mark(Value::List(out)));
            }
        };
        Ok(mark(self.apply_operators(file, expr, next, rest)?))
    }

    fn index(
        &self,
        file: FileId,
        expr: &Expression,
        value: &Value,
        idx: &Value,
    ) -> Result<Value, Diagnostic> {
        let (idx, idx_sensitive) = idx.unmark();
        match (value, idx) {
            (_, Value::Unknown) => Ok(Value::Unknown),
            (Value::List(items), Value::Number(n)) => {
                let i = n
                    .as_i64()
                    .filter(|i| *i >= 0)
                    .and_then(|i| usize::try_from(i).ok());
                i.and_then(|i| items.get(i).cloned()).ok_or_else(|| {
                    self.error(
                        file,
                        expr,
                        format!(
                            "index {} is out of range for a list of {} elements",
                            if idx_sensitive {
                                SENSITIVE_SHOWN.to_string()
                            } else {
                                n.to_string()
                            },
                            items.len()
                        ),
                    )
                })
            }
            (Value::Object(map), Value::String(key)) => map.get(key).cloned().ok_or_else(|| {
                let shown = if idx_sensitive {
                    SENSITIVE_SHOWN.to_string()
                } else {
                    format!("\"{key}\"")
                };
                self.error(file, expr, format!("no key {shown}"))
            }),
            (v, i) => Err(self.error(
                file,
                expr,
                format!("cannot index a {} with a {}", v.type_name(), i.type_name()),
            )),
        }
    }

    fn eval_template(
        &self,
        file: FileId,
        template: &Template,
        heredoc_indent: Option<usize>,
    ) -> Result<Value, Diagnostic> {
        let mut out = String::new();
        let mut sensitive = false;
        let mut unknown = false;
        self.render_template(file, template, &mut out, &mut sensitive, &mut unknown)?;
        if unknown {
            return Ok(Value::Unknown);
        }
        if heredoc_indent.is_some() {
            out = dedent(&out);
        }
        let v = Value::String(out);
        Ok(if sensitive { v.mark_sensitive() } else { v })
    }

    fn render_template(
        &self,
        file: FileId,
        template: &Template,
        out: &mut String,
        sensitive: &mut bool,
        unknown: &mut bool,
    ) -> Result<(), Diagnostic> {
        for element in template.iter() {
            match element {
                Element::Literal(lit) => out.push_str(lit.value()),
                Element::Interpolation(interp) => {
                    let v = self.eval_expr(file, &interp.expr)?;
                    let (v, sens) = v.unmark();
                    *sensitive |= sens;
                    match v {
                        Value::String(s) => out.push_str(s),
                        Value::Number(n) => out.push_str(&n.to_string()),
                        Value::Bool(b) => out.push_str(&b.to_string()),
                        Value::Unknown => *unknown = true,
                        Value::Null => {
                            return Err(self.error(
                                file,
                                &interp.expr,
                                "cannot insert null into a string",
                            ));
                        }
                        other => {
                            return Err(self
                                .error(
                                    file,
                                    &interp.expr,
                                    format!("cannot insert a {} into a string", other.type_name()),
                                )
                                .with_hint(
                                    "use jsonencode(...) or join(...) to turn it into a string",
                                ));
                        }
                    }
                }
                Element::Directive(d) => match d.as_ref() {
                    Directive::If(dir) => {
                        let cond = self.eval_expr(file, &dir.if_expr.cond_expr)?;
                        let (cond, sens) = cond.unmark();
                        *sensitive |= sens;
                        match cond {
                            Value::Bool(true) => self.render_template(
                                file,
                                &dir.if_expr.template,
                                out,
                                sensitive,
                                unknown,
                            )?,
                            Value::Bool(false) => {
                                if let Some(else_expr) = &dir.else_expr {
                                    self.render_template(
                                        file,
                                        &else_expr.template,
                                        out,
                                        sensitive,
                                        unknown,
                                    )?;
                                }
                            }
                            Value::Unknown => *unknown = true,
                            other => {
                                return Err(self.error(
                                    file,
                                    &dir.if_expr.cond_expr,
                                    format!(
                                        "a condition must be true or false, found a {}",
                                        other.type_name()
                                    ),
                                ));
                            }
                        }
                    }
                    Directive::For(dir) => {
                        let coll = self.eval_expr(file, &dir.for_expr.collection_expr)?;
                        let key_var = dir
                            .for_expr
                            .key_var
                            .as_ref()
                            .map(|k| k.as_str().to_string());
                        let value_var = dir.for_expr.value_var.as_str().to_string();
                        for (k, v) in self.iterate(
                            file,
                            &dir.for_expr.collection_expr,
                            &coll,
                            sensitive,
                            unknown,
                        )? {
                            let mut scope = IndexMap::new();
                            if let Some(kv) = &key_var {
                                scope.insert(kv.clone(), k);
                            }
                            scope.insert(value_var.clone(), v);
                            self.scopes.borrow_mut().push(scope);
                            let r = self.render_template(
                                file,
                                &dir.for_expr.template,
                                out,
                                sensitive,
                                unknown,
                            );
                            self.scopes.borrow_mut().pop();
                            r?;
                        }
                    }
                },
            }
        }
        Ok(())
    }

    /// The (key, value) pairs of a collection, for `for` expressions and directives.
    fn iterate(
        &self,
        file: FileId,
        expr: &Expression,
        coll: &Value,
        sensitive: &mut bool,
        unknown: &mut bool,
    ) -> Result<Vec<(Value, Value)>, Diagnostic> {
        let (coll, sens) = coll.unmark();
        *sensitive |= sens;
        match coll {
            Value::List(items) => Ok(items
                .iter()
                .enumerate()
                .map(|(i, v)| (Value::from(i64::try_from(i).unwrap_or(i64::MAX)), v.clone()))
                .collect()),
            Value::Object(map) => Ok(map
                .iter()
                .map(|(k, v)| (Value::str(k.clone()), v.clone()))
                .collect()),
            Value::Unknown => {
                *unknown = true;
                Ok(Vec::new())
            }
            other => Err(self.error(
                file,
                expr,
                format!("cannot iterate over a {}", other.type_name()),
            )),
        }
    }

    fn eval_for(
        &self,
        file: FileId,
        expr: &Expression,
        f: &hcl::edit::expr::ForExpr,
    ) -> Result<Value, Diagnostic> {
        let coll = self.eval_expr(file, &f.intro.collection_expr)?;
        let mut sensitive = false;
        let mut unknown = false;
        let pairs = self.iterate(
            file,
            &f.intro.collection_expr,
            &coll,
            &mut sensitive,
            &mut unknown,
        )?;
        if unknown {
            return Ok(Value::Unknown);
        }
        let key_var = f.intro.key_var.as_ref().map(|k| k.as_str().to_string());
        let value_var = f.intro.value_var.as_str().to_string();
        let mut list = Vec::new();
        let mut map: IndexMap<String, Value> = IndexMap::new();
        for (k, v) in pairs {
            let mut scope = IndexMap::new();
            if let Some(kv) = &key_var {
                scope.insert(kv.clone(), k);
            }
            scope.insert(value_var.clone(), v);
            self.scopes.borrow_mut().push(scope);
            let result = (|| -> Result<(), Diagnostic> {
                if let Some(cond) = &f.cond {
                    let cond_value = self.eval_expr(file, &cond.expr)?;
                    let (cond_value, cond_sensitive) = cond_value.unmark();
                    // Which items a secret lets through says something about the secret.
                    sensitive |= cond_sensitive;
                    match cond_value {
                        Value::Bool(true) => {}
                        Value::Bool(false) => return Ok(()),
                        Value::Unknown => {
                            unknown = true;
                            return Ok(());
                        }
                        other => {
                            return Err(self.error(
                                file,
                                &cond.expr,
                                format!(
                                    "a condition must be true or false, found a {}",
                                    other.type_name()
                                ),
                            ));
                        }
                    }
                }
                let value = self.eval_expr(file, &f.value_expr)?;
                match &f.key_expr {
                    None => list.push(value),
                    Some(key_expr) => {
                        let key = self.eval_expr(file, key_expr)?;
                        let (key, key_sensitive) = key.unmark();
                        sensitive |= key_sensitive;
                        let key = match key {
                            Value::String(s) => s.clone(),
                            Value::Number(n) => n.to_string(),
                            Value::Bool(b) => b.to_string(),
                            Value::Unknown => {
                                unknown = true;
                                return Ok(());
                            }
                            other => {
                                return Err(self.error(
                                    file,
                                    key_expr,
                                    format!(
                                        "object keys must be strings, found a {}",
                                        other.type_name()
                                    ),
                                ));
                            }
                        };
                        if f.grouping {
                            match map.entry(key).or_insert_with(|| Value::List(Vec::new())) {
                                Value::List(items) => items.push(value),
                                _ => unreachable!("grouped entries are lists"),
                            }
                        } else if map.contains_key(&key) {
                            let shown = if key_sensitive {
                                SENSITIVE_SHOWN.to_string()
                            } else {
                                format!("\"{key}\"")
                            };
                            return Err(self
                                .error(
                                    file,
                                    key_expr,
                                    format!("duplicate key {shown} in for expression"),
                                )
                                .with_hint("use `...` after the value to group values by key"));
                        } else {
                            map.insert(key, value);
                        }
                    }
                }
                Ok(())
            })();
            self.scopes.borrow_mut().pop();
            result?;
        }
        if unknown {
            return Ok(Value::Unknown);
        }
        let out = if f.key_expr.is_some() {
            Value::Object(map)
        } else {
            Value::List(list)
        };
        let _ = expr;
        Ok(if sensitive { out.mark_sensitive() } else { out })
    }
}

/// `module.tenant["contoso"]` as written in messages.
pub fn module_display(path: &[ModuleStep]) -> String {
    path.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

fn negate(n: &serde_json::Number) -> serde_json::Number {
    if let Some(i) = n.as_i64().and_then(|i| i.checked_neg()) {
        return i.into();
    }
    serde_json::Number::from_f64(-n.as_f64().unwrap_or(0.0)).unwrap_or_else(|| 0.into())
}

fn binary(op: BinaryOperator, l: &Value, r: &Value) -> Result<Value, String> {
    use BinaryOperator as B;
    if matches!(l, Value::Unknown) || matches!(r, Value::Unknown) {
        return Ok(Value::Unknown);
    }
    match op {
        B::Eq => Ok(Value::Bool(values_equal(l, r))),
        B::NotEq => Ok(Value::Bool(!values_equal(l, r))),
        B::And | B::Or => match (l, r) {
            (Value::Bool(a), Value::Bool(b)) => {
                Ok(Value::Bool(if op == B::And { *a && *b } else { *a || *b }))
            }
            _ => Err(format!(
                "`{}` needs two bools, found a {} and a {}",
                op.as_str(),
                l.type_name(),
                r.type_name()
            )),
        },
        _ => {
            let (Value::Number(a), Value::Number(b)) = (l, r) else {
                return Err(format!(
                    "`{}` needs two numbers, found a {} and a {}",
                    op.as_str(),
                    l.type_name(),
                    r.type_name()
                ));
            };
            if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
                let int = match op {
                    B::Plus => x.checked_add(y),
                    B::Minus => x.checked_sub(y),
                    B::Mul => x.checked_mul(y),
                    B::Mod if y != 0 => x.checked_rem(y),
                    B::Div if y != 0 && x % y == 0 => x.checked_div(y),
                    _ => None,
                };
                if let Some(i) = int {
                    return Ok(Value::from(i));
                }
            }
            let (x, y) = (
                a.as_f64().unwrap_or(f64::NAN),
                b.as_f64().unwrap_or(f64::NAN),
            );
            let num = |f: f64| {
                serde_json::Number::from_f64(f)
                    .map(Value::Number)
                    .ok_or_else(|| {
                        "the result is not a finite number (division by zero?)".to_string()
                    })
            };
            match op {
                B::Plus => num(x + y),
                B::Minus => num(x - y),
                B::Mul => num(x * y),
                B::Div => num(x / y),
                B::Mod => num(x % y),
                B::Less => Ok(Value::Bool(x < y)),
                B::LessEq => Ok(Value::Bool(x <= y)),
                B::Greater => Ok(Value::Bool(x > y)),
                B::GreaterEq => Ok(Value::Bool(x >= y)),
                _ => Err(format!("unsupported operator `{}`", op.as_str())),
            }
        }
    }
}

/// Equality ignoring sensitivity marks, with numbers compared by value.
pub fn values_equal(a: &Value, b: &Value) -> bool {
    let (a, _) = a.unmark();
    let (b, _) = b.unmark();
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| values_equal(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| values_equal(v, w)))
        }
        _ => a == b,
    }
}

/// Removes the common leading whitespace of every line (`<<-EOT` heredocs).
fn dedent(s: &str) -> String {
    let indent = s
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut out = String::with_capacity(s.len());
    for line in s.split_inclusive('\n') {
        let cut = line.len() - line.trim_start().len();
        out.push_str(&line[cut.min(indent)..]);
    }
    out
}

#[cfg(test)]
mod tests;
