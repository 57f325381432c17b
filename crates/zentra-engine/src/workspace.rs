//! A workspace: everything loaded for one run before any API call — the configuration, the
//! variables' values, the dependency graph, the providers' schemas — validated as a whole so
//! that every configuration error is reported at once, with its location.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use hcl::edit::Span as _;
use hcl::edit::structure::{Body, Structure};
use indexmap::IndexMap;

use crate::addr::{Mode, ProviderAddr, ResourceAddr};
use crate::config::{AUTO_VARS_FILE, Config, Expr, SourceBody};
use crate::deps::Dependencies;
use crate::diag::{Diagnostic, Diagnostics, SourceFile, Span, did_you_mean};
use crate::env::{Environment, vars};
use crate::eval::{EvalContext, EvaluatedBody, eval_block_body};
use crate::provider::{Provider, ProviderType, terraform_names};
use crate::schema::{ResourceKind, ResourceSchema};
use crate::value::Value;

/// How to load a workspace.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    pub dir: PathBuf,
    /// `--var NAME=VALUE`, in order.
    pub vars: Vec<String>,
    /// `--var-file FILE`, in order.
    pub var_files: Vec<PathBuf>,
    pub env: Environment,
}

/// A loaded, validated configuration.
pub struct Workspace {
    pub config: Config,
    pub env: Environment,
    pub vars: IndexMap<String, Value>,
    pub deps: Dependencies,
    pub provider_types: Vec<Box<dyn ProviderType>>,
    /// Managed resource types' schemas, by type name.
    schemas: HashMap<String, ResourceSchema>,
    /// Data sources' schemas, by type name (a data source may share a resource type's name).
    data_schemas: HashMap<String, ResourceSchema>,
}

impl Workspace {
    /// Loads and validates the configuration in `opts.dir`.
    pub fn load(
        opts: &LoadOptions,
        provider_types: Vec<Box<dyn ProviderType>>,
    ) -> Result<Workspace, Diagnostics> {
        let config = Config::load_dir(&opts.dir)?;
        Workspace::from_config(config, opts, provider_types)
    }

    pub fn from_config(
        config: Config,
        opts: &LoadOptions,
        provider_types: Vec<Box<dyn ProviderType>>,
    ) -> Result<Workspace, Diagnostics> {
        let mut diags = Diagnostics::default();
        let (data_schemas, schemas): (Vec<ResourceSchema>, Vec<ResourceSchema>) = provider_types
            .iter()
            .flat_map(|p| p.resource_schemas())
            .partition(|s| s.kind == ResourceKind::Data);
        let by_name = |list: Vec<ResourceSchema>| -> HashMap<String, ResourceSchema> {
            list.into_iter().map(|s| (s.type_name.clone(), s)).collect()
        };
        let (schemas, data_schemas) = (by_name(schemas), by_name(data_schemas));
        check_resource_types(
            &config,
            &schemas,
            &data_schemas,
            &provider_types,
            &mut diags,
        );
        let vars = match resolve_variables(&config, opts) {
            Ok(v) => {
                // Sensitive variables, and so everything computed from them, never show.
                for value in v.values() {
                    opts.env.secrets().add_value(value);
                }
                v
            }
            Err(d) => {
                diags.extend(d);
                IndexMap::new()
            }
        };
        let mut config = config;
        let provider_names: Vec<&str> = provider_types.iter().map(|p| p.name()).collect();
        if !diags.has_errors()
            && let Err(d) = crate::modules::expand(&mut config, &opts.env, &vars, &provider_names)
        {
            diags.extend(d);
        }
        if !diags.has_errors() && !config.module_instances.is_empty() {
            // The modules' resources, now laid out.
            check_resource_types(
                &config,
                &schemas,
                &data_schemas,
                &provider_types,
                &mut diags,
            );
        }
        if !diags.has_errors()
            && let Err(d) = crate::expand::expand(&mut config, &opts.env, &vars)
        {
            diags.extend(d);
        }
        if !diags.has_errors()
            && let Err(d) = config.check_import_instances()
        {
            diags.extend(d);
        }
        if !diags.has_errors()
            && let Err(d) = crate::plan::moves::check(&config)
        {
            diags.extend(d);
        }
        let deps = match Dependencies::build(&config) {
            Ok(g) => g,
            Err(d) => {
                diags.extend(d);
                Dependencies::default()
            }
        };
        diags.into_result()?;
        let ws = Workspace {
            config,
            env: opts.env.clone(),
            vars,
            deps,
            provider_types,
            schemas,
            data_schemas,
        };
        ws.validate()?;
        Ok(ws)
    }

    /// The schema of a managed resource type, else of a data source of that name.
    pub fn schema(&self, type_name: &str) -> Option<&ResourceSchema> {
        self.schemas
            .get(type_name)
            .or_else(|| self.data_schemas.get(type_name))
    }

    /// The schema of the resource or data source at `addr`.
    pub fn schema_for(&self, addr: &ResourceAddr) -> Option<&ResourceSchema> {
        match addr.mode {
            Mode::Data => self.data_schemas.get(&addr.type_name),
            Mode::Managed => self.schemas.get(&addr.type_name),
        }
    }

    pub fn provider_type(&self, name: &str) -> Option<&dyn ProviderType> {
        self.provider_types
            .iter()
            .find(|p| p.name() == name)
            .map(AsRef::as_ref)
    }

    /// Every provider instance some resource uses.
    pub fn providers_in_use(&self) -> Vec<ProviderAddr> {
        let mut out: Vec<ProviderAddr> = self
            .config
            .resources
            .values()
            .map(|r| r.provider.clone())
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// An evaluation context over the given resource values.
    pub fn eval_context<'a>(
        &'a self,
        resources: &'a HashMap<ResourceAddr, Value>,
    ) -> EvalContext<'a> {
        EvalContext::new(&self.config, &self.env, &self.vars, resources)
    }

    /// Evaluates a resource's body against its schema with the resource values known so far.
    pub fn eval_resource(
        &self,
        addr: &ResourceAddr,
        resources: &HashMap<ResourceAddr, Value>,
    ) -> Result<EvaluatedBody, Diagnostics> {
        let block = &self.config.resources[addr];
        let Some(schema) = self.schema_for(addr) else {
            return Err(Diagnostic::error(format!("unknown type of `{addr}`")).into());
        };
        let ctx = self.eval_context(resources);
        ctx.set_module(&addr.module);
        if let Some(scope) = crate::expand::instance_scope(&ctx, block) {
            ctx.push_scope(scope);
        }
        let mut body = eval_block_body(&ctx, &block.body, &schema.body, &addr.to_string())?;
        self.env.secrets().add_by_schema(&schema.body, &body.value);
        // The provider derives attributes from others and refuses impossible values; its
        // messages never repeat a sensitive value.
        if let Some(ptype) = self.provider_type(&block.provider.type_name) {
            let written = std::mem::replace(&mut body.value, Value::Null);
            let secrets = crate::redact::sensitive_texts(&written);
            let clear = |text: &str| crate::redact::replace_secrets(text, &secrets);
            body.value = ptype
                .complete_desired(&addr.type_name, written)
                .map_err(|invalid| {
                    let mut diags = Diagnostics::default();
                    for i in invalid {
                        let span = body.spans.get(&i.path).or(block.span.as_ref());
                        let mut d = Diagnostic::error(clear(&format!(
                            "{addr}: `{}`: {}",
                            i.path, i.message
                        )))
                        .at_span(&self.config.sources, span);
                        if let Some(h) = i.hint {
                            d = d.with_hint(clear(&h));
                        }
                        diags.push(d);
                    }
                    diags
                })?;
            self.env.secrets().add_by_schema(&schema.body, &body.value);
        }
        Ok(body)
    }

    /// What is worth a warning in the configuration but does not stop a run (see
    /// [`ProviderType::desired_warnings`]), each at the attribute it is about, evaluated as
    /// `validate` does (every reference unknown). A resource that does not evaluate has none
    /// here: its errors are reported elsewhere.
    pub fn warnings(&self) -> Diagnostics {
        let mut out = Diagnostics::default();
        let resources = HashMap::new();
        let ctx = self.eval_context(&resources);
        for (addr, block) in &self.config.resources {
            let (Some(schema), Some(ptype)) = (
                self.schema_for(addr),
                self.provider_type(&block.provider.type_name),
            ) else {
                continue;
            };
            ctx.set_module(&addr.module);
            if let Some(instance) = &block.instance {
                ctx.push_scope(instance.scope());
            }
            let body = eval_block_body(&ctx, &block.body, &schema.body, &addr.to_string());
            if block.instance.is_some() {
                ctx.pop_scope();
            }
            let Ok(body) = body else {
                continue;
            };
            let Ok(completed) = ptype.complete_desired(&addr.type_name, body.value.clone()) else {
                continue;
            };
            for w in ptype.desired_warnings(&addr.type_name, &body.value, &completed) {
                let span = body.spans.get(&w.path).or(block.span.as_ref());
                let mut d = Diagnostic::warning(format!("{addr}: `{}`: {}", w.path, w.message))
                    .at_span(&self.config.sources, span);
                if let Some(h) = w.hint {
                    d = d.with_hint(h);
                }
                out.push(d);
            }
        }
        out
    }

    /// Evaluates a provider block (or an empty one when the configuration has none).
    pub fn eval_provider(&self, addr: &ProviderAddr) -> Result<Value, Diagnostics> {
        let Some(ptype) = self.provider_type(&addr.type_name) else {
            return Err(Diagnostic::error(format!("unknown provider `{}`", addr.type_name)).into());
        };
        let empty = SourceBody {
            file: crate::diag::FileId(0),
            body: Body::new(),
            span: None,
        };
        let body = self.config.provider(addr).map_or(&empty, |p| &p.body);
        let resources = HashMap::new();
        let ctx = self.eval_context(&resources);
        let schema = ptype.config_schema();
        let value = eval_block_body(
            &ctx,
            body,
            &schema,
            &format!("provider \"{}\"", addr.type_name),
        )?
        .value;
        // A `client_secret` written in the block is as secret as one in the environment.
        self.env.secrets().add_by_schema(&schema, &value);
        Ok(value)
    }

    /// Configures one provider instance (no network calls).
    pub fn configure_provider(
        &self,
        addr: &ProviderAddr,
    ) -> Result<Box<dyn Provider>, Diagnostics> {
        let config = self.eval_provider(addr)?;
        let ptype = self
            .provider_type(&addr.type_name)
            .expect("checked by eval_provider");
        ptype.configure(&config, &self.env).map_err(|e| {
            let span = self.config.provider(addr).and_then(|p| p.body.span.clone());
            // Providers name themselves in configuration errors; say which instance otherwise.
            let message = if e.message.starts_with("provider ") {
                e.message.clone()
            } else {
                format!("provider `{addr}`: {}", e.message)
            };
            let mut d = Diagnostic::error(message).at_span(&self.config.sources, span.as_ref());
            if let Some(h) = e.hint {
                d = d.with_hint(h);
            }
            d.into()
        })
    }

    /// Checks every resource and provider body against its schema with all references
    /// unknown: what `zentra validate` reports, and what every command checks before any API
    /// call.
    pub fn validate(&self) -> Result<(), Diagnostics> {
        let mut diags = Diagnostics::default();
        let resources = HashMap::new();
        for addr in self.config.resources.keys() {
            if let Err(d) = self.eval_resource(addr, &resources) {
                diags.extend(d);
            }
        }
        for p in &self.config.providers {
            if let Err(d) = self.eval_provider(&p.addr) {
                diags.extend(d);
            }
        }
        for used in self.providers_in_use() {
            if used.alias.is_some() && self.config.provider(&used).is_none() {
                let users: Vec<String> = self
                    .config
                    .resources
                    .values()
                    .filter(|r| r.provider == used)
                    .map(|r| r.addr.to_string())
                    .collect();
                let span = self
                    .config
                    .resources
                    .values()
                    .find(|r| r.provider == used)
                    .and_then(|r| r.span.clone());
                diags.push(
                    Diagnostic::error(format!(
                        "provider `{used}` is used by {} but not configured",
                        users.join(", ")
                    ))
                    .at_span(&self.config.sources, span.as_ref())
                    .with_hint(format!(
                        "add `provider \"{}\" {{ alias = \"{}\" }}`",
                        used.type_name,
                        used.alias.as_deref().unwrap_or_default()
                    )),
                );
            }
        }
        let ctx = self.eval_context(&resources);
        ctx.set_module(&[]);
        for name in self.config.locals.keys() {
            if let Err(d) = ctx.eval_local(name) {
                diags.push(d);
            }
        }
        self.validate_module_instances(&ctx, &mut diags);
        ctx.set_module(&[]);
        for output in self.config.outputs.values() {
            match ctx.eval(&output.value) {
                Ok(v) => {
                    if let Some(d) = sensitive_output_unmarked(&self.config, output, &v) {
                        diags.push(d);
                    }
                }
                Err(d) => diags.push(d),
            }
        }
        let mut ignores_checked = std::collections::HashSet::new();
        for (addr, block) in &self.config.resources {
            let crate::config::IgnoreChanges::Paths(paths) = &block.lifecycle.ignore_changes else {
                continue;
            };
            let Some(schema) = self.schema_for(addr) else {
                continue;
            };
            // Once per block, not per instance.
            if !ignores_checked.insert(addr.block()) {
                continue;
            }
            for path in paths {
                if let Err((part, known)) = crate::drift::suppress::find_path(&schema.body, path) {
                    let d = Diagnostic::error(format!(
                        "`ignore_changes` of `{}` names `{path}`, which `{}` does not have",
                        addr.block(),
                        addr.type_name
                    ))
                    .at_span(&self.config.sources, block.lifecycle.span.as_ref());
                    diags.push(
                        match did_you_mean(&part, known.iter().map(String::as_str)) {
                            Some(close) => {
                                d.with_hint(format!("`{part}`: did you mean `{close}`?"))
                            }
                            None => d.with_hint(format!(
                                "see `zentra schema {}` for its attributes",
                                addr.type_name
                            )),
                        },
                    );
                }
            }
        }
        for check in &self.config.checks {
            ctx.set_module(&check.module);
            for assertion in &check.asserts {
                for expr in [&assertion.condition, &assertion.error_message] {
                    if let Err(d) = ctx.eval(expr) {
                        diags.push(d);
                    }
                }
            }
        }
        diags.extend(crate::drift::suppress::check(self));
        diags.into_result().map(|_| ())
    }

    /// What [`Workspace::validate`] checks of each module instance: its locals, its outputs
    /// and its variables' `validation` blocks.
    fn validate_module_instances(&self, ctx: &EvalContext<'_>, diags: &mut Diagnostics) {
        for path in self.config.module_instances.keys() {
            let Some(scope) = self.config.module_scope(path) else {
                continue;
            };
            ctx.set_module(path);
            for name in scope.locals.keys() {
                if let Err(d) = ctx.eval_local(name) {
                    diags.push(d);
                }
            }
            for output in scope.outputs.values() {
                match ctx.module_output(path, &output.name) {
                    Ok(v) => {
                        // The mark `sensitive = true` adds is not the output's own.
                        let own = ctx.eval(&output.value).unwrap_or(v);
                        if let Some(d) = sensitive_output_unmarked(&self.config, output, &own) {
                            diags.push(d);
                        }
                    }
                    Err(d) => diags.push(d),
                }
            }
            for (name, decl) in &scope.variables {
                for validation in &decl.validations {
                    let condition = match ctx.eval(&validation.condition) {
                        Ok(v) => v,
                        Err(d) => {
                            diags.push(d);
                            continue;
                        }
                    };
                    if condition.unmark().0 != &Value::Bool(false) {
                        continue;
                    }
                    let message = match ctx.eval(&validation.error_message) {
                        Ok(m) if m.contains_sensitive() => "The error message included a \
                                                            sensitive value, so it will not be \
                                                            displayed."
                            .to_string(),
                        Ok(m) => match m.unmark().0 {
                            Value::String(s) => s.clone(),
                            _ => "The error message could not be shown: it is not a string.".into(),
                        },
                        Err(d) => {
                            diags.push(d);
                            continue;
                        }
                    };
                    let given = self
                        .config
                        .module_call(path)
                        .and_then(|c| c.inputs.get(name))
                        .and_then(|i| i.expr.span());
                    diags.push(
                        Diagnostic::error(format!(
                            "Invalid value for input `{name}` of `{}`: {message}",
                            crate::eval::module_display(path)
                        ))
                        .at_span(
                            &self.config.sources,
                            given.as_ref().or(validation.condition.span().as_ref()),
                        )
                        .with_hint(format!("give `{name}` a value the module's rule accepts")),
                    );
                }
            }
        }
    }

    /// The kind of a resource type.
    pub fn kind(&self, type_name: &str) -> ResourceKind {
        self.schemas
            .get(type_name)
            .map_or(ResourceKind::Object, |s| s.kind)
    }
}

/// An output computed from a sensitive value must say `sensitive = true`, as in Terraform, so
/// that nothing secret leaves as an output by accident.
pub fn sensitive_output_unmarked(
    config: &Config,
    output: &crate::config::OutputBlock,
    value: &Value,
) -> Option<Diagnostic> {
    (!output.sensitive && value.contains_sensitive()).then(|| {
        Diagnostic::error(format!(
            "Output refers to sensitive values: output `{}` is computed from a sensitive value",
            output.name
        ))
        .at_span(&config.sources, output.value.span().as_ref())
        .with_detail(
            "To reduce the risk of accidentally exporting sensitive data that was intended to be \
             only internal, zentra requires that any output containing sensitive data be \
             explicitly marked as sensitive, to confirm your intent.",
        )
        .with_hint("if you do intend to export this data, add `sensitive = true` to the output")
    })
}

fn check_resource_types(
    config: &Config,
    schemas: &HashMap<String, ResourceSchema>,
    data_schemas: &HashMap<String, ResourceSchema>,
    provider_types: &[Box<dyn ProviderType>],
    diags: &mut Diagnostics,
) {
    for (addr, block) in &config.resources {
        let same_mode = match addr.mode {
            Mode::Data => data_schemas,
            Mode::Managed => schemas,
        };
        if same_mode.contains_key(&addr.type_name) {
            continue;
        }
        let what = if addr.mode == Mode::Data {
            "data source"
        } else {
            "resource type"
        };
        let candidates: Vec<&str> = same_mode.keys().map(String::as_str).collect();
        let span = block.span.clone();
        let d = Diagnostic::error(format!("unknown {what} `{}`", addr.type_name))
            .at_span(&config.sources, span.as_ref());
        let other_mode = match addr.mode {
            Mode::Data => schemas.contains_key(&addr.type_name).then_some("resource"),
            Mode::Managed => data_schemas.contains_key(&addr.type_name).then_some("data"),
        };
        let renamed = terraform_names::renamed_type(&addr.type_name, addr.mode)
            .or_else(|| terraform_names::renamed_type_any_mode(&addr.type_name));
        diags.push(if let Some(renamed) = renamed {
            d.with_hint(renamed.hint())
        } else if let Some(block) = other_mode {
            let kind = if block == "data" {
                "a data source"
            } else {
                "a resource type"
            };
            d.with_hint(format!(
                "`{}` is {kind}: write `{block} \"{}\" \"{}\" {{ ... }}`",
                addr.type_name, addr.type_name, addr.name
            ))
        } else {
            match did_you_mean(&addr.type_name, candidates.iter().copied()) {
                Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                None => {
                    let mut names = candidates.clone();
                    names.sort_unstable();
                    d.with_hint(format!("{what}s available: {}", names.join(", ")))
                }
            }
        });
    }
    for removed in &config.removed {
        if schemas.contains_key(&removed.from.type_name) {
            continue;
        }
        let candidates: Vec<&str> = schemas.keys().map(String::as_str).collect();
        let d = Diagnostic::error(format!(
            "`removed` names `{}`, of an unknown resource type",
            removed.from
        ))
        .at_span(&config.sources, removed.span.as_ref());
        diags.push(
            match did_you_mean(&removed.from.type_name, candidates.iter().copied()) {
                Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                None => d.with_hint("name the resource as its block did: TYPE.NAME"),
            },
        );
    }
    for p in &config.providers {
        if !provider_types.iter().any(|t| t.name() == p.addr.type_name) {
            let names: Vec<&str> = provider_types.iter().map(|t| t.name()).collect();
            let d = Diagnostic::error(format!("unknown provider `{}`", p.addr.type_name))
                .at_span(&config.sources, p.body.span.as_ref());
            diags.push(
                match did_you_mean(&p.addr.type_name, names.iter().copied()) {
                    Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                    None => d.with_hint(format!("providers available: {}", names.join(", "))),
                },
            );
        }
    }
}

/// Computes every variable's value: default < `ZENTRA_VAR_<name>` < `zentra.vars.hcl` <
/// `--var-file` < `--var`.
fn resolve_variables(
    config: &Config,
    opts: &LoadOptions,
) -> Result<IndexMap<String, Value>, Diagnostics> {
    let mut diags = Diagnostics::default();
    let mut raw: IndexMap<String, (Value, String)> = IndexMap::new();
    let no_vars = IndexMap::new();
    let no_resources = HashMap::new();
    let ctx = EvalContext::new(config, &opts.env, &no_vars, &no_resources);
    for (name, decl) in &config.variables {
        if let Some(default) = &decl.default {
            match ctx.eval(default) {
                Ok(v) => {
                    raw.insert(name.clone(), (v, "its default".into()));
                }
                Err(d) => diags.push(d),
            }
        }
    }
    // Variables whose given value could not be read: reported once, not also as unset.
    let mut unreadable: Vec<String> = Vec::new();
    // What was given on the command line or in the environment, for hints on how to write it.
    let mut given: HashMap<String, (String, GivenIn)> = HashMap::new();
    for (name, value) in opts.env.with_prefix(vars::ZENTRA_VAR_PREFIX) {
        if let Some(decl) = config.variables.get(name) {
            given.insert(name.to_string(), (value.to_string(), GivenIn::Environment));
            match parse_cli_value(value, decl) {
                Ok(v) => {
                    raw.insert(
                        name.to_string(),
                        (v, format!("{}{name}", vars::ZENTRA_VAR_PREFIX)),
                    );
                }
                Err(msg) => {
                    unreadable.push(name.to_string());
                    let d = Diagnostic::error(format!("{}{name}: {msg}", vars::ZENTRA_VAR_PREFIX));
                    diags.push(with_literal_hint(d, decl, value, GivenIn::Environment));
                }
            }
        }
    }
    let mut files: Vec<PathBuf> = Vec::new();
    let auto = config.dir.join(AUTO_VARS_FILE);
    // Present in any form: one that cannot be read is reported, not skipped.
    if std::fs::symlink_metadata(&auto).is_ok() {
        files.push(auto);
    }
    files.extend(opts.var_files.iter().map(|f| {
        if f.is_absolute() {
            f.clone()
        } else {
            opts.dir.join(f)
        }
    }));
    for file in files {
        if let Err(d) = load_var_file(config, &file, &opts.env, &mut raw) {
            diags.extend(d);
        }
    }
    for assignment in &opts.vars {
        let Some((name, value)) = assignment.split_once('=') else {
            diags.push(
                Diagnostic::error(format!("`--var {assignment}` is not NAME=VALUE"))
                    .with_hint("write it as --var name=value"),
            );
            continue;
        };
        let name = name.trim();
        match config.variables.get(name) {
            Some(decl) => match parse_cli_value(value, decl) {
                Ok(v) => {
                    given.insert(name.to_string(), (value.to_string(), GivenIn::Flag));
                    raw.insert(name.to_string(), (v, format!("--var {name}")));
                }
                Err(msg) => {
                    unreadable.push(name.to_string());
                    let d = Diagnostic::error(format!("--var {name}: {msg}"));
                    diags.push(with_literal_hint(d, decl, value, GivenIn::Flag));
                }
            },
            None => diags.push(unknown_variable(config, name, "--var")),
        }
    }
    let mut out = IndexMap::new();
    for (name, decl) in &config.variables {
        let mut value_given = raw.shift_remove(name);
        // Not nullable: a null given where there is a default takes the default.
        if !decl.nullable
            && let Some((Value::Null, source)) = &value_given
            && source != "its default"
            && let Some(default) = &decl.default
            && let Ok(v) = ctx.eval(default)
        {
            value_given = Some((v, "its default".into()));
        }
        if !decl.nullable
            && let Some((Value::Null, source)) = &value_given
        {
            diags.push(
                Diagnostic::error(format!(
                    "variable `{name}` (from {source}) is null, but it is not nullable"
                ))
                .at_span(&config.sources, decl.span.as_ref())
                .with_hint(format!(
                    "give `{name}` a value, or remove `nullable = false` to accept null"
                )),
            );
            continue;
        }
        match value_given {
            Some((value, source)) => match decl.ty.convert(value.clone()) {
                Ok(v) => {
                    out.insert(name.clone(), if decl.sensitive { v.mark_sensitive() } else { v });
                }
                Err(msg) => diags.push({
                    let msg = if decl.sensitive { crate::eval::redact_value(&msg, &value) } else { msg };
                    let d = Diagnostic::error(format!("variable `{name}` (from {source}) must be {}: {msg}", decl.ty))
                        .at_span(&config.sources, decl.span.as_ref());
                    // Given on the command line or in the environment: say how to write it.
                    match given.get(name) {
                        Some((text, given_in)) if source.starts_with("--var") == (*given_in == GivenIn::Flag) => {
                            with_literal_hint(d, decl, text, *given_in)
                        }
                        _ => d,
                    }
                }),
            },
            None if unreadable.contains(name) => {}
            None => diags.push(
                Diagnostic::error(format!("variable `{name}` has no value"))
                    .at_span(&config.sources, decl.span.as_ref())
                    .with_hint(format!(
                        "set it with --var {name}=VALUE, in {AUTO_VARS_FILE}, or with the environment variable {}{name}",
                        vars::ZENTRA_VAR_PREFIX
                    )),
            ),
        }
    }
    diags.into_result()?;
    check_validations(config, &opts.env, &out)?;
    Ok(out)
}

/// Checks every variable's `validation` blocks against the values given, as Terraform does:
/// a condition that is false is an error at the variable, with its `error_message`.
fn check_validations(
    config: &Config,
    env: &Environment,
    vars: &IndexMap<String, Value>,
) -> Result<(), Diagnostics> {
    let mut diags = Diagnostics::default();
    let no_resources = HashMap::new();
    let ctx = EvalContext::new(config, env, vars, &no_resources);
    for (name, decl) in &config.variables {
        for validation in &decl.validations {
            let condition = match ctx.eval(&validation.condition) {
                Ok(v) => v,
                Err(d) => {
                    diags.push(d);
                    continue;
                }
            };
            match condition.unmark().0 {
                Value::Bool(true) | Value::Unknown => continue,
                Value::Bool(false) => {}
                other => {
                    diags.push(
                        Diagnostic::error(format!(
                            "the `condition` of variable `{name}`'s validation must be true or \
                             false, found a {}",
                            other.type_name()
                        ))
                        .at_span(&config.sources, validation.condition.span().as_ref()),
                    );
                    continue;
                }
            }
            let message = match ctx.eval(&validation.error_message) {
                Ok(m) if m.contains_sensitive() => "The error message included a sensitive \
                                                    value, so it will not be displayed."
                    .to_string(),
                Ok(m) => match m.unmark().0 {
                    Value::String(s) => s.clone(),
                    _ => "The error message could not be shown: it is not a string.".into(),
                },
                Err(d) => {
                    diags.push(d);
                    continue;
                }
            };
            let rule = validation
                .span
                .as_ref()
                .map(|s| config.sources.locate(s))
                .map(|l| format!("{}:{}:{}", l.file, l.line, l.column))
                .unwrap_or_default();
            diags.push(
                Diagnostic::error(format!("Invalid value for variable `{name}`: {message}"))
                    .at_span(&config.sources, validation.condition.span().as_ref())
                    .with_detail(format!(
                        "This was checked by the validation rule at {rule}."
                    ))
                    .with_hint(format!("give `{name}` a value this rule accepts")),
            );
        }
    }
    diags.into_result().map(|_| ())
}

/// Where a variable's value was given as text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum GivenIn {
    /// `--var name=value`
    Flag,
    /// `ZENTRA_VAR_name`
    Environment,
}

/// For a list, set, map or object variable, a hint showing how to write the value as such a
/// literal, with the variable's own name (and, unless it is sensitive, the words given).
fn with_literal_hint(
    d: Diagnostic,
    decl: &crate::config::VariableBlock,
    given: &str,
    given_in: GivenIn,
) -> Diagnostic {
    let shown = if decl.sensitive { "" } else { given };
    let Some(example) = literal_example(&decl.ty, shown) else {
        return d;
    };
    let name = &decl.name;
    let how = match given_in {
        GivenIn::Flag => format!("--var '{name}={example}'"),
        GivenIn::Environment => format!("{}{name}='{example}'", vars::ZENTRA_VAR_PREFIX),
    };
    d.with_hint(format!("`{name}` takes a {}: write it as {how}", decl.ty))
}

/// An HCL literal of type `ty` made of the words in `given` (comma-separated items, `key=value`
/// pairs), or of placeholders; `None` for types that are not collections.
fn literal_example(ty: &crate::config::TypeConstraint, given: &str) -> Option<String> {
    use crate::config::TypeConstraint as T;
    fn scalar(ty: &T, word: &str) -> String {
        let word = word.trim().trim_matches('"');
        match ty {
            T::Number if word.parse::<f64>().is_ok() => word.to_string(),
            T::Bool if word == "true" || word == "false" => word.to_string(),
            T::Number => "1".to_string(),
            T::Bool => "true".to_string(),
            T::Optional(inner, _) => scalar(inner, word),
            _ => format!("\"{}\"", word.replace('"', "\\\"")),
        }
    }
    let given = given.trim();
    let words: Vec<&str> = given
        .trim_matches(|c| matches!(c, '[' | ']' | '{' | '}'))
        .split(',')
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .collect();
    match ty {
        T::List(item) | T::Set(item) => {
            let items: Vec<String> = if words.is_empty() {
                vec![scalar(item, "a"), scalar(item, "b")]
            } else {
                words.iter().map(|w| scalar(item, w)).collect()
            };
            Some(format!("[{}]", items.join(", ")))
        }
        T::Map(item) => {
            let pairs: Vec<String> = words
                .iter()
                .filter_map(|w| w.split_once(['=', ':']))
                .map(|(k, v)| format!("{}={}", k.trim().trim_matches('"'), scalar(item, v)))
                .collect();
            let pairs = if pairs.is_empty() {
                vec![format!("a={}", scalar(item, "b"))]
            } else {
                pairs
            };
            Some(format!("{{{}}}", pairs.join(", ")))
        }
        T::Object(fields) => {
            let members: Vec<String> = fields
                .iter()
                .map(|(k, t)| format!("{k}={}", placeholder(t)))
                .collect();
            Some(format!("{{{}}}", members.join(", ")))
        }
        T::Optional(inner, _) => literal_example(inner, given),
        _ => None,
    }
}

/// A value of type `ty` to show in an example.
fn placeholder(ty: &crate::config::TypeConstraint) -> String {
    use crate::config::TypeConstraint as T;
    match ty {
        T::Number => "1".into(),
        T::Bool => "true".into(),
        T::String | T::Any => "\"...\"".into(),
        T::Optional(inner, _) => placeholder(inner),
        other => literal_example(other, "").unwrap_or_else(|| "null".into()),
    }
}

fn unknown_variable(config: &Config, name: &str, source: &str) -> Diagnostic {
    let d = Diagnostic::error(format!(
        "{source} sets `{name}`, but no variable `{name}` is declared"
    ));
    match did_you_mean(name, config.variables.keys().map(String::as_str)) {
        Some(s) => d.with_hint(format!("did you mean `{s}`?")),
        None => d.with_hint(format!("declare it with `variable \"{name}\" {{}}`")),
    }
}

/// A value given on the command line or in the environment: taken as a string for string
/// variables, otherwise parsed as an HCL expression (`true`, `5`, `["a", "b"]`).
/// The error does not repeat a sensitive variable's value.
fn parse_cli_value(text: &str, decl: &crate::config::VariableBlock) -> Result<Value, String> {
    use crate::config::TypeConstraint as T;
    if matches!(decl.ty, T::String | T::Any) {
        return Ok(Value::str(text));
    }
    if decl.sensitive {
        return parse_typed_value(text).map_err(|_| {
            format!(
                "the value is not a valid {} (it is not shown: the variable is sensitive)",
                decl.ty
            )
        });
    }
    parse_typed_value(text).map_err(|msg| {
        if literal_example(&decl.ty, "").is_some() {
            // What HCL made of a bare word (a reference, a syntax error) does not help here.
            format!("`{text}` is not a {} literal", decl.ty)
        } else {
            msg
        }
    })
}

fn parse_typed_value(text: &str) -> Result<Value, String> {
    if let Err(deep) = crate::config::nesting::check(text) {
        return Err(format!("cannot parse `{text}`: {}", deep.message()));
    }
    let body: Body = format!("v = {text}\n")
        .parse()
        .map_err(|e: hcl::edit::parser::Error| format!("cannot parse `{text}`: {}", e.message()))?;
    let attr = body.get_attribute("v").ok_or("no value")?;
    let config = Config::default();
    let env = Environment::default();
    let no_vars = IndexMap::new();
    let no_resources = HashMap::new();
    let ctx = EvalContext::new(&config, &env, &no_vars, &no_resources);
    ctx.eval(&Expr {
        file: crate::diag::FileId(usize::MAX),
        expr: attr.value.clone(),
    })
    .map_err(|d| d.summary)
}

fn load_var_file(
    config: &Config,
    path: &Path,
    env: &Environment,
    raw: &mut IndexMap<String, (Value, String)>,
) -> Result<(), Diagnostics> {
    let text =
        crate::config::read_source(path, crate::files::FileKind::Variables).map_err(|e| {
            Diagnostic::error(format!(
                "cannot read variables file `{}`: {e}",
                path.display()
            ))
            .with_hint("check the path given to --var-file")
        })?;
    let display = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut file_config = Config {
        dir: config.dir.clone(),
        ..Config::default()
    };
    let file_id = file_config.sources.add(SourceFile {
        display_path: display.clone(),
        path: path.to_path_buf(),
        text: text.clone(),
    });
    if let Err(deep) = crate::config::nesting::check(&text) {
        return Err(crate::config::nesting_error(&file_config.sources, file_id, &deep).into());
    }
    let body: Body = text.parse().map_err(|e: hcl::edit::parser::Error| {
        crate::config::syntax::syntax_error(&display, &text, &e)
    })?;
    let no_vars = IndexMap::new();
    let no_resources = HashMap::new();
    let ctx = EvalContext::new(&file_config, env, &no_vars, &no_resources);
    let mut diags = Diagnostics::default();
    for structure in body.iter() {
        match structure {
            Structure::Attribute(attr) => {
                let name = attr.key.as_str();
                let span = Span::new(file_id, attr.key.span());
                if !config.variables.contains_key(name) {
                    diags.push(
                        unknown_variable(config, name, &display)
                            .at_span(&file_config.sources, span.as_ref()),
                    );
                    continue;
                }
                match ctx.eval(&Expr {
                    file: file_id,
                    expr: attr.value.clone(),
                }) {
                    Ok(v) => {
                        raw.insert(name.to_string(), (v, display.clone()));
                    }
                    Err(d) => diags.push(d),
                }
            }
            Structure::Block(b) => diags.push(
                Diagnostic::error(format!(
                    "unexpected block `{}` in a variables file",
                    b.ident.as_str()
                ))
                .at_span(
                    &file_config.sources,
                    Span::new(file_id, b.ident.span()).as_ref(),
                )
                .with_hint("a variables file holds only NAME = VALUE lines"),
            ),
        }
    }
    diags.into_result().map(|_| ())
}
