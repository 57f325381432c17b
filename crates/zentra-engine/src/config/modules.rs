//! `module "NAME" { source = "./modules/x" ... }` blocks: a directory of configuration used as a
//! unit, loaded together with the configuration that calls it, so that a missing, circular or
//! non-local source, an unknown input or a missing required one is reported where it is written.
//!
//! Only local modules are supported (`./` or `../`): nothing is downloaded.

use std::path::{Component, Path, PathBuf};

use hcl::edit::Span as _;
use hcl::edit::expr::{Expression, ObjectKey};
use hcl::edit::structure::{Body, Structure};
use indexmap::IndexMap;

use super::{Config, Expr, FileId, Repetition, literal_string, provider_reference, traversal_addr};
use crate::addr::{ProviderAddr, ResourceAddr};
use crate::diag::{Diagnostic, Diagnostics, SourceMap, Span, did_you_mean};
use crate::expand::InstanceBinding;

/// How deeply modules may call modules.
const MAX_DEPTH: usize = 16;

/// The attributes of a `module` block that are not inputs of the module.
const META_ARGUMENTS: &[&str] = &[
    "source",
    "for_each",
    "count",
    "providers",
    "depends_on",
    "version",
];

/// One input of a module call: `name = expression`, evaluated in the calling module.
#[derive(Clone, Debug)]
pub struct ModuleInput {
    pub expr: Expr,
    /// Span of the attribute's name.
    pub key_span: Option<Span>,
}

/// One entry of `providers = { zoom = zoom.contoso }`: the module's provider name (`child`) is
/// the calling module's `parent`.
#[derive(Clone, Debug)]
pub struct ProviderPass {
    pub child: ProviderAddr,
    pub parent: ProviderAddr,
    /// Span of the value (`zoom.contoso`).
    pub span: Option<Span>,
}

/// A `module` block, with the module's directory loaded.
#[derive(Debug)]
pub struct ModuleCall {
    pub name: String,
    /// `source` as written (`./modules/tenant`).
    pub source: String,
    pub source_span: Option<Span>,
    /// The module's own configuration (its sources live in the root configuration's map).
    pub config: Box<Config>,
    pub inputs: IndexMap<String, ModuleInput>,
    pub providers: Vec<ProviderPass>,
    pub repetition: Option<Repetition>,
    /// `depends_on`: every resource of the module waits for these.
    pub depends_on: Vec<(ResourceAddr, Option<Span>)>,
    /// Span of the whole block.
    pub span: Option<Span>,
}

/// One instance of a module block (expanded by the workspace).
#[derive(Clone, Debug, Default)]
pub struct ModuleInstance {
    /// What `each` or `count` stands for in the module block's arguments.
    pub binding: Option<InstanceBinding>,
}

impl Config {
    pub(super) fn add_module_call(
        &mut self,
        file: FileId,
        name: String,
        body: Body,
        span: Option<Span>,
        diags: &mut Diagnostics,
    ) {
        if self.module_calls.contains_key(&name) {
            diags.push(
                Diagnostic::error(format!("module `{name}` is declared twice"))
                    .at_span(&self.sources, span.as_ref())
                    .with_hint("give each module block a different name"),
            );
            return;
        }
        let mut call = ModuleCall {
            name: name.clone(),
            source: String::new(),
            source_span: None,
            config: Box::default(),
            inputs: IndexMap::new(),
            providers: Vec::new(),
            repetition: None,
            depends_on: Vec::new(),
            span: span.clone(),
        };
        let mut source = None;
        let mut for_each = None;
        let mut count = None;
        for structure in body.into_iter() {
            let attr = match structure {
                Structure::Attribute(attr) => attr,
                Structure::Block(b) => {
                    diags.push(
                        self.err_at(
                            file,
                            b.ident.span(),
                            format!("unexpected block `{}` in module `{name}`", b.ident.as_str()),
                        )
                        .with_hint(
                            "a module block holds `source`, the module's inputs as \
                             attributes (name = value), and optionally `for_each`, `count`, \
                             `providers` and `depends_on`",
                        ),
                    );
                    continue;
                }
            };
            let key = attr.key.as_str().to_string();
            match key.as_str() {
                "source" => match literal_string(&attr.value) {
                    Some(s) => {
                        call.source_span = self.span(file, attr.value.span());
                        source = Some(s);
                    }
                    None => diags.push(self.err_at(
                        file,
                        attr.value.span(),
                        "`source` must be a literal string, like \"./modules/tenant\"".into(),
                    )),
                },
                "version" => diags.push(
                    self.err_at(
                        file,
                        attr.key.span(),
                        format!("module `{name}`: `version` applies to modules from a registry"),
                    )
                    .with_hint(
                        "only local modules are supported: remove `version` and set `source` \
                         to a directory starting with ./ or ../",
                    ),
                ),
                "for_each" => for_each = Some(attr),
                "count" => count = Some(attr),
                "providers" => self.module_providers(file, &name, &attr.value, &mut call, diags),
                "depends_on" => {
                    match &attr.value {
                        Expression::Array(items) => {
                            for item in items.iter() {
                                match traversal_addr(item) {
                                Some(a) => call.depends_on.push((a, self.span(file, item.span()))),
                                None => diags.push(self.err_at(
                                    file,
                                    item.span(),
                                    "`depends_on` entries of a module block must be resource \
                                     addresses like `zoom_group.sales`"
                                        .into(),
                                )),
                            }
                            }
                        }
                        other => diags.push(self.err_at(
                            file,
                            other.span(),
                            "`depends_on` must be a list of resource addresses".into(),
                        )),
                    }
                }
                _ => {
                    call.inputs.insert(
                        key,
                        ModuleInput {
                            key_span: self.span(file, attr.key.span()),
                            expr: Expr {
                                file,
                                expr: attr.value,
                            },
                        },
                    );
                }
            }
        }
        call.repetition = match (for_each, count) {
            (Some(_), Some(c)) => {
                diags.push(
                    self.err_at(
                        file,
                        c.key.span(),
                        format!("module `{name}` sets both `count` and `for_each`"),
                    )
                    .with_hint(
                        "use one of them: `for_each` (a map or a set of strings) for instances \
                         by key, `count` for numbered ones",
                    ),
                );
                None
            }
            (Some(f), None) => Some(Repetition::ForEach(Expr {
                file,
                expr: f.value,
            })),
            (None, Some(c)) => Some(Repetition::Count(Expr {
                file,
                expr: c.value,
            })),
            (None, None) => None,
        };
        match source {
            Some(s) => call.source = s,
            None => {
                diags.push(
                    Diagnostic::error(format!("module `{name}` has no `source`"))
                        .at_span(&self.sources, span.as_ref())
                        .with_hint(format!(
                            "add `source = \"./modules/{name}\"`: the directory holding the \
                             module's *.zen.hcl files"
                        )),
                );
                return;
            }
        }
        self.module_calls.insert(name, call);
    }

    /// `providers = { zoom = zoom.contoso, azuread = azuread.contoso }`.
    fn module_providers(
        &self,
        file: FileId,
        name: &str,
        value: &Expression,
        call: &mut ModuleCall,
        diags: &mut Diagnostics,
    ) {
        let shape = "`providers` maps the module's provider names to providers of this \
                     configuration, like `providers = { zoom = zoom.contoso }`";
        let Expression::Object(obj) = value else {
            diags.push(self.err_at(file, value.span(), shape.into()));
            return;
        };
        for (key, value) in obj.iter() {
            let child = match key {
                ObjectKey::Ident(id) => Some(ProviderAddr::default_for(id.as_str())),
                ObjectKey::Expression(e) => provider_reference(e),
            };
            let parent = provider_reference(value.expr());
            let span = self.span(file, value.expr().span());
            match (child, parent) {
                (Some(child), Some(parent)) if child.type_name != parent.type_name => diags.push(
                    Diagnostic::error(format!(
                        "module `{name}`: provider `{child}` cannot be given `{parent}`, a \
                             provider of another type"
                    ))
                    .at_span(&self.sources, span.as_ref())
                    .with_hint(format!(
                        "pass a `{}` provider: `{child} = {}.ALIAS`",
                        child.type_name, child.type_name
                    )),
                ),
                (Some(child), Some(parent)) => {
                    if call.providers.iter().any(|p| p.child == child) {
                        diags.push(
                            Diagnostic::error(format!(
                                "module `{name}`: provider `{child}` is passed twice"
                            ))
                            .at_span(&self.sources, span.as_ref()),
                        );
                        continue;
                    }
                    call.providers.push(ProviderPass {
                        child,
                        parent,
                        span,
                    });
                }
                _ => diags.push(
                    Diagnostic::error(format!("module `{name}`: {shape}"))
                        .at_span(&self.sources, span.as_ref()),
                ),
            }
        }
    }

    /// Loads the directory of every module block (and of the modules they call), checking each
    /// block's inputs against the module's variables. `stack` holds the directories being
    /// loaded, outermost first, to refuse a module that calls itself.
    pub(super) fn load_modules(
        &mut self,
        display_prefix: &str,
        stack: &mut Vec<PathBuf>,
        diags: &mut Diagnostics,
    ) {
        if self.module_calls.is_empty() {
            return;
        }
        let mut sources = std::mem::take(&mut self.sources);
        let dir = self.dir.clone();
        for call in self.module_calls.values_mut() {
            let at = |d: Diagnostic, sources: &SourceMap| {
                d.at_span(sources, call.source_span.as_ref().or(call.span.as_ref()))
            };
            if !(call.source.starts_with("./") || call.source.starts_with("../")) {
                diags.push(at(
                    Diagnostic::error(format!(
                        "module `{}`: `{}` is not a local path: only local modules are supported",
                        call.name, call.source
                    ))
                    .with_hint(
                        "copy the module into a directory of this repository and set `source` \
                         to its path, starting with ./ or ../ (registry and git sources are \
                         not supported)",
                    ),
                    &sources,
                ));
                continue;
            }
            let child_dir = dir.join(&call.source);
            let canonical = match std::fs::canonicalize(&child_dir) {
                Ok(c) if c.is_dir() => c,
                _ => {
                    diags.push(at(
                        Diagnostic::error(format!(
                            "module `{}`: there is no directory `{}`",
                            call.name, call.source
                        ))
                        .with_hint(
                            "`source` is a directory relative to the file's own directory, \
                             holding the module's *.zen.hcl files",
                        ),
                        &sources,
                    ));
                    continue;
                }
            };
            if stack.contains(&canonical) {
                diags.push(at(
                    Diagnostic::error(format!(
                        "module `{}` calls `{}`, a module already being loaded: a module cannot \
                         call itself, directly or through others",
                        call.name, call.source
                    ))
                    .with_hint("remove the module block that closes the circle"),
                    &sources,
                ));
                continue;
            }
            if stack.len() > MAX_DEPTH {
                diags.push(at(
                    Diagnostic::error(format!(
                        "module `{}`: modules are nested more than {MAX_DEPTH} deep",
                        call.name
                    )),
                    &sources,
                ));
                continue;
            }
            let prefix = display_path(&format!("{display_prefix}{}", call.source));
            let files = match super::read_config_files(&child_dir, &prefix) {
                Ok(files) => files,
                Err(d) => {
                    for d in d.0 {
                        let d = if d.location.is_none() {
                            at(d, &sources)
                        } else {
                            d
                        };
                        diags.push(d);
                    }
                    continue;
                }
            };
            let mut child = Config {
                dir: child_dir,
                sources: std::mem::take(&mut sources),
                ..Config::default()
            };
            child.parse_files(files, diags);
            stack.push(canonical);
            child.load_modules(&prefix, stack, diags);
            stack.pop();
            child.refuse_root_only_blocks(&call.name, diags);
            sources = std::mem::take(&mut child.sources);
            check_inputs(call, &child, &sources, diags);
            *call.config = child;
        }
        self.sources = sources;
    }

    /// Blocks that only the root configuration may hold.
    fn refuse_root_only_blocks(&self, module: &str, diags: &mut Diagnostics) {
        if let Some(p) = self.providers.first() {
            diags.push(
                Diagnostic::error(format!(
                    "module `{module}`: provider blocks are not supported inside a module"
                ))
                .at_span(&self.sources, p.body.span.as_ref())
                .with_hint(format!(
                    "configure `{}` in the root configuration and pass it in with \
                     `providers = {{ {} = {} }}` on the module block",
                    p.addr, p.addr.type_name, p.addr
                )),
            );
        }
        if self.settings.backend.is_some()
            || self.settings.state_path.is_some()
            || self.settings.encryption.is_some()
        {
            diags.push(
                Diagnostic::error(format!(
                    "module `{module}`: state settings (`backend`, `state_path`, \
                     `encryption`) belong in the root configuration"
                ))
                .at_span(&self.sources, self.settings.backend_span.as_ref())
                .with_hint("remove them from the module's `zentra` block"),
            );
        }
        // As in Terraform: what to import, and into which instance, is the root's to say.
        if let Some(import) = self.imports.first() {
            diags.push(
                Diagnostic::error(format!(
                    "module `{module}`: `import` blocks belong in the root configuration"
                ))
                .at_span(&self.sources, import.span.as_ref())
                .with_hint(format!(
                    "write it in the root configuration, with the full address \
                     (`to = module.{module}.TYPE.NAME`)"
                )),
            );
        }
    }

    /// The configuration of the module at `path` (the root's for an empty path); keys are
    /// ignored, every instance of a module block shares its configuration.
    pub fn module_scope(&self, path: &[crate::addr::ModuleStep]) -> Option<&Config> {
        let mut config = self;
        for step in path {
            config = &config.module_calls.get(&step.name)?.config;
        }
        Some(config)
    }

    /// The module block that declares the module instance at `path` (not the root).
    pub fn module_call(&self, path: &[crate::addr::ModuleStep]) -> Option<&ModuleCall> {
        let (last, parent) = path.split_last()?;
        self.module_scope(parent)?.module_calls.get(&last.name)
    }
}

/// Every input must be a variable of the module, and every variable without a default must be
/// given.
fn check_inputs(call: &ModuleCall, child: &Config, sources: &SourceMap, diags: &mut Diagnostics) {
    for (name, input) in &call.inputs {
        if child.variables.contains_key(name) {
            continue;
        }
        let d = Diagnostic::error(format!(
            "module `{}` has no input `{name}`: `{}` declares no variable `{name}`",
            call.name, call.source
        ))
        .at_span(sources, input.key_span.as_ref());
        let candidates = child
            .variables
            .keys()
            .map(String::as_str)
            .chain(META_ARGUMENTS.iter().copied());
        diags.push(match did_you_mean(name, candidates) {
            Some(s) => d.with_hint(format!("did you mean `{s}`?")),
            None if child.variables.is_empty() => d.with_hint(format!(
                "the module takes no inputs; declare `variable \"{name}\" {{}}` in it to add one"
            )),
            None => d.with_hint(format!(
                "the module's inputs are: {}",
                child
                    .variables
                    .keys()
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        });
    }
    for (name, var) in &child.variables {
        if var.default.is_some() || call.inputs.contains_key(name) {
            continue;
        }
        let declared = var
            .span
            .as_ref()
            .map(|s| sources.locate(s))
            .map(|l| format!(" (declared at {}:{})", l.file, l.line))
            .unwrap_or_default();
        diags.push(
            Diagnostic::error(format!(
                "module `{}` needs a value for its input `{name}`",
                call.name
            ))
            .at_span(sources, call.span.as_ref())
            .with_hint(format!(
                "add `{name} = ...` to the module block: variable `{name}` of the module has no \
                 default{declared}"
            )),
        );
    }
}

/// `source` joined to the directory of the calling module as messages show it, without `.`
/// segments, ending with `/`: `modules/tenant/`.
fn display_path(joined: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    for c in Path::new(joined).components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if parts.last().is_some_and(|p| p != "..") {
                    parts.pop();
                } else {
                    parts.push("..".into());
                }
            }
            other => parts.push(other.as_os_str().to_string_lossy().into_owned()),
        }
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("{}/", parts.join("/"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_paths_have_no_dot_segments() {
        assert_eq!(display_path("./modules/tenant"), "modules/tenant/");
        assert_eq!(display_path("modules/a/../b"), "modules/b/");
        assert_eq!(display_path("../common"), "../common/");
        assert_eq!(display_path("modules/a/./"), "modules/a/");
    }
}
