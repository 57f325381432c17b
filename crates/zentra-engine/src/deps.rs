//! Dependencies between the resources of a configuration: which resources refer to which
//! (directly, through locals, or by `depends_on`), checked for cycles and cut into waves that can
//! be refreshed and applied concurrently.

use std::collections::{BTreeSet, HashMap, HashSet};

use hcl::edit::Span as _;
use hcl::edit::expr::{Expression, Traversal, TraversalOperator};
use hcl::edit::structure::Body;
use hcl::edit::visit::{Visit, visit_body, visit_expr, visit_traversal};
use petgraph::graph::DiGraph;

use crate::addr::{Mode, ModuleStep, ResourceAddr};
use crate::config::Config;
use crate::diag::{Diagnostic, Diagnostics, Span};

/// A reference found in an expression.
#[derive(Clone, Debug)]
enum Reference {
    Resource(ResourceAddr, Option<std::ops::Range<usize>>),
    Local(String),
    /// `var.NAME`: in a module, what the module block gives it.
    Var(String),
    /// `module.NAME.OUTPUT` (the output, when written), `module.NAME["key"].OUTPUT`.
    Module(String, Option<String>),
}

#[derive(Default)]
struct ReferenceCollector {
    refs: Vec<Reference>,
    /// The variables of the `for` expressions around the current node (`for k, v in ...`):
    /// `v.id` is no resource.
    for_vars: Vec<String>,
}

impl Visit for ReferenceCollector {
    fn visit_for_expr(&mut self, node: &hcl::edit::expr::ForExpr) {
        // The collection is outside the `for`'s scope; the rest is inside.
        self.visit_expr(&node.intro.collection_expr);
        let before = self.for_vars.len();
        if let Some(key) = &node.intro.key_var {
            self.for_vars.push(key.as_str().to_string());
        }
        self.for_vars
            .push(node.intro.value_var.as_str().to_string());
        if let Some(key_expr) = &node.key_expr {
            self.visit_expr(key_expr);
        }
        self.visit_expr(&node.value_expr);
        if let Some(cond) = &node.cond {
            self.visit_expr(&cond.expr);
        }
        self.for_vars.truncate(before);
    }

    fn visit_traversal(&mut self, node: &Traversal) {
        if let Expression::Variable(root) = &node.expr
            && self.for_vars.iter().any(|v| v == root.as_str())
        {
            return visit_traversal(self, node);
        }
        if let Expression::Variable(root) = &node.expr {
            let attr = |i: usize| match node.operators.get(i).map(|o| o.value()) {
                Some(TraversalOperator::GetAttr(id)) => Some(id.as_str().to_string()),
                _ => None,
            };
            match root.as_str() {
                "self" | "each" | "count" | "path" => {}
                "var" => {
                    if let Some(name) = attr(0) {
                        self.refs.push(Reference::Var(name));
                    }
                }
                "module" => {
                    if let Some(name) = attr(0) {
                        let output = match node.operators.get(1).map(|o| o.value()) {
                            Some(TraversalOperator::GetAttr(id)) => Some(id.as_str().to_string()),
                            Some(
                                TraversalOperator::Index(_) | TraversalOperator::LegacyIndex(_),
                            ) => attr(2),
                            _ => None,
                        };
                        self.refs.push(Reference::Module(name, output));
                    }
                }
                "local" => {
                    if let Some(name) = attr(0) {
                        self.refs.push(Reference::Local(name));
                    }
                }
                "data" => {
                    if let (Some(t), Some(n)) = (attr(0), attr(1)) {
                        self.refs
                            .push(Reference::Resource(ResourceAddr::data(t, n), node.span()));
                    }
                }
                type_name => {
                    if let Some(n) = attr(0) {
                        self.refs.push(Reference::Resource(
                            ResourceAddr::managed(type_name, n),
                            node.span(),
                        ));
                    }
                }
            }
        }
        visit_traversal(self, node);
    }
}

fn references_in_body(body: &Body) -> Vec<Reference> {
    let mut c = ReferenceCollector::default();
    visit_body(&mut c, body);
    c.refs
}

fn references_in_expr(expr: &Expression) -> Vec<Reference> {
    let mut c = ReferenceCollector::default();
    visit_expr(&mut c, expr);
    c.refs
}

/// Resources in dependency order.
#[derive(Clone, Debug, Default)]
pub struct Dependencies {
    /// Direct dependencies of each resource.
    pub dependencies: HashMap<ResourceAddr, BTreeSet<ResourceAddr>>,
    /// Resources grouped in waves: every resource's dependencies are in earlier waves.
    pub waves: Vec<Vec<ResourceAddr>>,
    /// The resources some expression of the configuration names (see
    /// [`Dependencies::may_be_referred_to`]).
    referred_to: HashSet<(Mode, String, String)>,
}

impl Dependencies {
    /// Builds the graph of `config`, reporting references to undeclared resources and cycles.
    pub fn build(config: &Config) -> Result<Dependencies, Diagnostics> {
        let mut diags = Diagnostics::default();
        let local_refs: HashMap<&str, Vec<Reference>> = config
            .locals
            .iter()
            .map(|(name, expr)| (name.as_str(), references_in_expr(&expr.expr)))
            .collect();
        let mut dependencies: HashMap<ResourceAddr, BTreeSet<ResourceAddr>> = HashMap::new();
        // Every reference in a local or an output is checked where it is written, whether or
        // not a resource uses it, so that one run reports every undeclared reference.
        for (name, expr) in &config.locals {
            for r in &local_refs[name.as_str()] {
                if let Reference::Resource(target, range) = r
                    && config.instances_of(target).is_none()
                {
                    diags.push(undeclared(
                        config,
                        target,
                        None,
                        Span::new(expr.file, range.clone()),
                    ));
                }
            }
        }
        for output in config.outputs.values() {
            for r in references_in_expr(&output.value.expr) {
                if let Reference::Resource(target, range) = r
                    && config.instances_of(&target).is_none()
                {
                    diags.push(undeclared(
                        config,
                        &target,
                        None,
                        Span::new(output.value.file, range),
                    ));
                }
            }
        }
        check_module_references(config, &mut diags);
        for (addr, block) in &config.resources {
            let mut deps = BTreeSet::new();
            let mut seen = HashSet::new();
            // (reference, the module it is written in, whether it was written elsewhere than
            // in the block itself: a local, a module's input or output)
            // `each.value` stands for what `for_each` refers to: the body depends on it too.
            let mut refs = references_in_body(&block.body.body);
            if let Some(repetition) = &block.repetition {
                refs.extend(references_in_expr(&repetition.expr().expr));
            }
            let mut pending: Vec<(Reference, Vec<ModuleStep>, bool)> = refs
                .into_iter()
                .rev()
                .map(|r| (r, addr.module.clone(), false))
                .collect();
            while let Some((r, path, via_local)) = pending.pop() {
                match r {
                    Reference::Local(name) if path.is_empty() => {
                        if seen.insert((path, 'l', name.clone()))
                            && let Some(refs) = local_refs.get(name.as_str())
                        {
                            pending
                                .extend(refs.iter().rev().cloned().map(|r| (r, Vec::new(), true)));
                        }
                    }
                    Reference::Local(name) => {
                        if let Some(expr) =
                            config.module_scope(&path).and_then(|s| s.locals.get(&name))
                            && seen.insert((path.clone(), 'l', name))
                        {
                            for r in references_in_expr(&expr.expr).into_iter().rev() {
                                pending.push((r, path.clone(), true));
                            }
                        }
                    }
                    Reference::Var(name) => {
                        let Some(call) = config.module_call(&path) else {
                            continue;
                        };
                        if !seen.insert((path.clone(), 'v', name.clone())) {
                            continue;
                        }
                        let parent = &path[..path.len() - 1];
                        let mut refs = Vec::new();
                        if let Some(input) = call.inputs.get(&name) {
                            refs.extend(references_in_expr(&input.expr.expr));
                        }
                        if let Some(repetition) = &call.repetition {
                            refs.extend(references_in_expr(&repetition.expr().expr));
                        }
                        for r in refs.into_iter().rev() {
                            pending.push((r, parent.to_vec(), true));
                        }
                    }
                    Reference::Module(name, output) => {
                        for (instance, _) in config.module_instances.iter().filter(|(q, _)| {
                            q.len() == path.len() + 1
                                && q.starts_with(&path)
                                && q.last().is_some_and(|s| s.name == name)
                        }) {
                            let Some(scope) = config.module_scope(instance) else {
                                continue;
                            };
                            for (out_name, out) in &scope.outputs {
                                if output.as_ref().is_some_and(|o| o != out_name)
                                    || !seen.insert((instance.clone(), 'o', out_name.clone()))
                                {
                                    continue;
                                }
                                for r in references_in_expr(&out.value.expr).into_iter().rev() {
                                    pending.push((r, instance.clone(), true));
                                }
                            }
                        }
                    }
                    Reference::Resource(target, range) => {
                        let target = ResourceAddr {
                            module: path,
                            ..target
                        };
                        let Some(instances) = config.instances_of(&target) else {
                            // One written in a local is reported with the locals above.
                            if !via_local {
                                diags.push(undeclared(
                                    config,
                                    &target,
                                    Some(addr),
                                    Span::new(block.body.file, range),
                                ));
                            }
                            continue;
                        };
                        if target != addr.block() && &target != addr {
                            deps.extend(instances);
                        } else if !via_local {
                            diags.push(
                                Diagnostic::error(format!("`{addr}` refers to itself"))
                                    .at_span(
                                        &config.sources,
                                        Span::new(block.body.file, range).as_ref(),
                                    )
                                    .with_hint("a resource cannot use its own attributes"),
                            );
                        } else {
                            diags.push(
                                Diagnostic::error(format!(
                                    "`{addr}` refers to itself through a local value"
                                ))
                                .at_span(&config.sources, block.span.as_ref())
                                .with_hint("a resource cannot use its own attributes"),
                            );
                        }
                    }
                }
            }
            for (target, span) in &block.depends_on {
                if let Some(instances) = config.instances_of(target) {
                    deps.extend(instances);
                } else {
                    diags.push(undeclared(config, target, Some(addr), span.clone()));
                }
            }
            dependencies.insert(addr.clone(), deps);
        }
        for output in config.outputs.values() {
            for (target, span) in &output.depends_on {
                if config.instances_of(target).is_none() {
                    diags.push(undeclared(config, target, None, span.clone()));
                }
            }
        }
        // In the order they are written, whatever order they were found in.
        diags.0.sort_by_key(|d| {
            d.location
                .as_ref()
                .map(|l| (l.file.clone(), l.line, l.column))
        });
        diags.clone().into_result()?;

        let mut graph = DiGraph::<ResourceAddr, ()>::new();
        let index: HashMap<ResourceAddr, _> = config
            .resources
            .keys()
            .map(|a| (a.clone(), graph.add_node(a.clone())))
            .collect();
        for (addr, deps) in &dependencies {
            for dep in deps {
                graph.add_edge(index[dep], index[addr], ());
            }
        }
        let order = match petgraph::algo::toposort(&graph, None) {
            Ok(order) => order,
            Err(cycle) => {
                let addr = &graph[cycle.node_id()];
                let span = config.resources.get(addr).and_then(|b| b.span.clone());
                let members = cycle_members(&dependencies, addr);
                return Err(Diagnostic::error(format!("dependency cycle: {members}"))
                    .at_span(&config.sources, span.as_ref())
                    .with_hint("break the cycle: one of these resources must not refer to the next")
                    .into());
            }
        };
        let mut level: HashMap<ResourceAddr, usize> = HashMap::new();
        for node in order {
            let addr = &graph[node];
            let l = dependencies[addr]
                .iter()
                .map(|d| level[d] + 1)
                .max()
                .unwrap_or(0);
            level.insert(addr.clone(), l);
        }
        let depth = level.values().max().map_or(0, |m| m + 1);
        let mut waves = vec![Vec::new(); depth];
        for addr in config.resources.keys() {
            waves[level[addr]].push(addr.clone());
        }
        let mut referred_to = HashSet::new();
        names_referred_to(config, &mut referred_to);
        Ok(Dependencies {
            dependencies,
            waves,
            referred_to,
        })
    }

    /// Whether any expression of the configuration (a resource's arguments, a local, an
    /// output, a `check`, a module's inputs; in any module) names `addr`'s block, by type and
    /// name, whatever the module or instance: only then can an evaluation ever look up its
    /// value. A resource nothing names needs no value for others to refer to.
    pub fn may_be_referred_to(&self, addr: &ResourceAddr) -> bool {
        self.referred_to
            .contains(&(addr.mode, addr.type_name.clone(), addr.name.clone()))
    }

    /// Every resource that `addr` depends on, directly or not.
    pub fn transitive_dependencies(&self, addr: &ResourceAddr) -> BTreeSet<ResourceAddr> {
        let mut out = BTreeSet::new();
        let mut stack: Vec<&ResourceAddr> = vec![addr];
        while let Some(a) = stack.pop() {
            for d in self.dependencies.get(a).into_iter().flatten() {
                if out.insert(d.clone()) {
                    stack.push(d);
                }
            }
        }
        out
    }
}

/// Adds the blocks every expression of `config` and of its modules names, by mode, type and
/// name: more than what can be looked up (a name in a module stands for its block in every
/// module), never less.
fn names_referred_to(config: &Config, out: &mut HashSet<(Mode, String, String)>) {
    let mut c = ReferenceCollector::default();
    for block in config.resources.values() {
        visit_body(&mut c, &block.body.body);
        if let Some(repetition) = &block.repetition {
            visit_expr(&mut c, &repetition.expr().expr);
        }
    }
    for provider in &config.providers {
        visit_body(&mut c, &provider.body.body);
    }
    for variable in config.variables.values() {
        if let Some(default) = &variable.default {
            visit_expr(&mut c, &default.expr);
        }
        for v in &variable.validations {
            visit_expr(&mut c, &v.condition.expr);
            visit_expr(&mut c, &v.error_message.expr);
        }
    }
    for local in config.locals.values() {
        visit_expr(&mut c, &local.expr);
    }
    for output in config.outputs.values() {
        visit_expr(&mut c, &output.value.expr);
    }
    for check in &config.checks {
        for assertion in &check.asserts {
            visit_expr(&mut c, &assertion.condition.expr);
            visit_expr(&mut c, &assertion.error_message.expr);
        }
    }
    for call in config.module_calls.values() {
        for input in call.inputs.values() {
            visit_expr(&mut c, &input.expr.expr);
        }
        if let Some(repetition) = &call.repetition {
            visit_expr(&mut c, &repetition.expr().expr);
        }
        names_referred_to(&call.config, out);
    }
    for r in c.refs {
        if let Reference::Resource(addr, _) = r {
            out.insert((addr.mode, addr.type_name, addr.name));
        }
    }
}

/// Every resource reference in the locals and outputs of each module instance, and in the
/// arguments of its module block, must be declared where it is written.
fn check_module_references(config: &Config, diags: &mut Diagnostics) {
    for path in config.module_instances.keys() {
        let Some(scope) = config.module_scope(path) else {
            continue;
        };
        let mut written: Vec<(&crate::config::Expr, &[ModuleStep])> = Vec::new();
        written.extend(scope.locals.values().map(|e| (e, path.as_slice())));
        written.extend(scope.outputs.values().map(|o| (&o.value, path.as_slice())));
        if let Some(call) = config.module_call(path) {
            let parent = &path[..path.len() - 1];
            written.extend(call.inputs.values().map(|i| (&i.expr, parent)));
        }
        for (expr, at) in written {
            for r in references_in_expr(&expr.expr) {
                if let Reference::Resource(target, range) = r {
                    let target = ResourceAddr {
                        module: at.to_vec(),
                        ..target
                    };
                    if config.instances_of(&target).is_none() {
                        diags.push(undeclared(
                            config,
                            &target,
                            None,
                            Span::new(expr.file, range),
                        ));
                    }
                }
            }
        }
    }
}

/// The error for a reference to `target`, which is not declared, from `referrer` (a resource,
/// or `None` for a local or an output). A suggestion is a declared block of the same type, never
/// the referring block itself.
fn undeclared(
    config: &Config,
    target: &ResourceAddr,
    referrer: Option<&ResourceAddr>,
    span: Option<Span>,
) -> Diagnostic {
    let d = Diagnostic::error(format!("reference to undeclared resource `{target}`"))
        .at_span(&config.sources, span.as_ref());
    let candidates: Vec<String> = config
        .resources
        .keys()
        .filter(|a| a.mode == target.mode && a.type_name == target.type_name)
        .filter(|a| referrer.is_none_or(|r| a.block() != r.block()))
        .map(|a| a.block().to_string())
        .collect();
    if let Some(s) =
        crate::diag::did_you_mean(&target.to_string(), candidates.iter().map(String::as_str))
    {
        return d.with_hint(format!("did you mean `{s}`?"));
    }
    if let Some(renamed) =
        crate::provider::terraform_names::renamed_type(&target.type_name, target.mode)
    {
        return d.with_hint(renamed.hint());
    }
    let block = match target.mode {
        crate::addr::Mode::Data => "data",
        crate::addr::Mode::Managed => "resource",
    };
    d.with_hint(format!(
        "declare it with `{block} \"{}\" \"{}\" {{ ... }}`, or fix the reference",
        target.type_name, target.name
    ))
}

/// A readable description of the cycle through `start`.
fn cycle_members(
    deps: &HashMap<ResourceAddr, BTreeSet<ResourceAddr>>,
    start: &ResourceAddr,
) -> String {
    let mut path = vec![start.clone()];
    let mut visited = HashSet::new();
    fn walk(
        deps: &HashMap<ResourceAddr, BTreeSet<ResourceAddr>>,
        start: &ResourceAddr,
        path: &mut Vec<ResourceAddr>,
        visited: &mut HashSet<ResourceAddr>,
    ) -> bool {
        let cur = path.last().cloned().expect("path is never empty");
        for d in deps.get(&cur).into_iter().flatten() {
            if d == start {
                return true;
            }
            if visited.insert(d.clone()) {
                path.push(d.clone());
                if walk(deps, start, path, visited) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    walk(deps, start, &mut path, &mut visited);
    path.push(start.clone());
    path.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" -> ")
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::diag::SourceFile;

    fn build(src: &str) -> Result<Dependencies, Diagnostics> {
        let config = Config::from_files(
            Path::new("."),
            vec![SourceFile {
                display_path: "main.zen.hcl".into(),
                path: "main.zen.hcl".into(),
                text: src.into(),
            }],
        )
        .unwrap();
        Dependencies::build(&config)
    }

    #[test]
    fn waves_follow_references_through_locals() {
        let g = build(
            r#"
resource "azuread_service_principal" "zoom" { app_id = "z" }
resource "azuread_service_principal" "graph" { app_id = "g" }
locals { client = azuread_service_principal.zoom.object_id }
resource "azuread_delegated_permission_grant" "zoom" {
  service_principal_object_id = local.client
  resource_app_id = "g"
  scopes = ["User.Read"]
}
resource "zoom_account_settings" "main" {
  depends_on = [azuread_delegated_permission_grant.zoom]
}
"#,
        )
        .unwrap();
        let names: Vec<Vec<String>> = g
            .waves
            .iter()
            .map(|w| w.iter().map(ToString::to_string).collect())
            .collect();
        assert_eq!(
            names,
            vec![
                vec![
                    "azuread_service_principal.zoom".to_string(),
                    "azuread_service_principal.graph".to_string()
                ],
                vec!["azuread_delegated_permission_grant.zoom".to_string()],
                vec!["zoom_account_settings.main".to_string()],
            ]
        );
    }

    #[test]
    fn the_variables_of_a_for_expression_are_not_resources() {
        let g = build(
            "resource \"a_x\" \"one\" { v = 1 }\n\
             resource \"a_x\" \"two\" {\n  v = [for k, g in a_x.one : g.id if g.id != k]\n}\n\
             output \"o\" { value = { for key, group in a_x.one : key => group.id } }\n",
        )
        .unwrap();
        let two = ResourceAddr::managed("a_x", "two");
        let deps: Vec<String> = g.dependencies[&two]
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(deps, ["a_x.one"]);
        let e = build("resource \"a_x\" \"one\" {\n  v = [for g in [1] : b_y.gone.id]\n}\n")
            .unwrap_err();
        assert_eq!(
            e.0[0].summary,
            "reference to undeclared resource `b_y.gone`"
        );
    }

    #[test]
    fn what_may_be_referred_to_is_every_block_an_expression_names() {
        let g = build(
            r#"
resource "a_x" "plain" { v = 1 }
resource "a_x" "used" { v = 1 }
resource "a_x" "by_local" { v = 1 }
resource "a_x" "by_output" { v = 1 }
resource "a_x" "checked" { v = 1 }
resource "a_x" "many" {
  for_each = toset(["k"])
  v        = 1
}
data "d_w" "x" { v = 1 }
locals { l = a_x.by_local.id }
resource "a_x" "user" {
  v = "${a_x.used.id}-${local.l}-${data.d_w.x.id}-${a_x.many["k"].id}"
}
output "o" { value = a_x.by_output.id }
check "c" {
  assert {
    condition     = a_x.checked.v == 1
    error_message = "no"
  }
}
"#,
        )
        .unwrap();
        let named = |a: &ResourceAddr| g.may_be_referred_to(a);
        for name in ["used", "by_local", "by_output", "checked"] {
            assert!(named(&ResourceAddr::managed("a_x", name)), "{name}");
        }
        assert!(named(&ResourceAddr::data("d_w", "x")));
        let instance = ResourceAddr {
            key: Some(crate::addr::InstanceKey::Name("k".into())),
            ..ResourceAddr::managed("a_x", "many")
        };
        assert!(named(&instance));
        assert!(!named(&ResourceAddr::managed("a_x", "plain")));
        assert!(!named(&ResourceAddr::managed("a_x", "user")));
        assert!(!named(&ResourceAddr::managed("d_w", "x")));
    }

    #[test]
    fn undeclared_references_and_cycles_are_errors() {
        let e = build("resource \"a_x\" \"one\" {\n  v = a_x.two.id\n}\n").unwrap_err();
        assert_eq!(e.0[0].summary, "reference to undeclared resource `a_x.two`");
        assert_eq!(
            e.0[0].location.as_ref().unwrap().to_string(),
            "main.zen.hcl:2:7"
        );
        let e = build("resource \"a_x\" \"one\" {\n  v = a_x.two.id\n}\nresource \"a_x\" \"two\" {\n  v = a_x.one.id\n}\n").unwrap_err();
        assert!(
            e.0[0].summary.starts_with("dependency cycle: "),
            "{}",
            e.0[0].summary
        );
    }

    #[test]
    fn every_undeclared_reference_is_reported_in_order_and_never_suggests_its_referrer() {
        let e = build(
            "resource \"a_x\" \"one\" {\n  v = a_x.ones.id\n  w = b_y.gone.id\n}\n\
             output \"o\" { value = [c_z.out.id, data.d_w.x.id] }\n\
             locals { unused = e_v.local.id }\n",
        )
        .unwrap_err();
        let found: Vec<(String, String, Option<String>)> =
            e.0.iter()
                .map(|d| {
                    (
                        d.summary.clone(),
                        d.location.as_ref().unwrap().to_string(),
                        d.hint.clone(),
                    )
                })
                .collect();
        let summaries: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(
            summaries,
            [
                "reference to undeclared resource `a_x.ones`",
                "reference to undeclared resource `b_y.gone`",
                "reference to undeclared resource `c_z.out`",
                "reference to undeclared resource `data.d_w.x`",
                "reference to undeclared resource `e_v.local`",
            ]
        );
        assert_eq!(found[0].1, "main.zen.hcl:2:7");
        assert_eq!(found[4].1, "main.zen.hcl:6:19");
        // `a_x.one` is the block that refers: it is not offered as what was meant.
        assert!(
            !found[0].2.as_deref().unwrap().contains("a_x.one`"),
            "{:?}",
            found[0].2
        );
        assert!(
            found[3]
                .2
                .as_deref()
                .unwrap()
                .contains("data \"d_w\" \"x\""),
            "{:?}",
            found[3].2
        );
    }
}
