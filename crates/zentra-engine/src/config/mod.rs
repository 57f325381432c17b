//! Loading configuration: every `*.zen.hcl` file of a directory is parsed (keeping source spans)
//! into a [`Config`] of typed top-level blocks, whose expressions stay unevaluated until
//! [`crate::eval`] runs them.

mod backend;
mod drift_ignore;
mod import;
mod labels;
mod modules;
pub mod nesting;
mod ownership;
pub(crate) mod syntax;
mod types;

use std::path::{Path, PathBuf};

use hcl::edit::Span as _;
use hcl::edit::expr::Expression;
use hcl::edit::structure::{Attribute, Block, Body, Structure};
use indexmap::IndexMap;

use crate::addr::{Mode, ModuleStep, ProviderAddr, ResourceAddr};
use crate::diag::{Diagnostic, Diagnostics, FileId, SourceFile, SourceMap, Span, did_you_mean};
use crate::files::{FileKind, ReadError};

pub use backend::{AzurermBackend, Backend, EncryptionSettings, S3Backend};
pub use drift_ignore::DriftIgnore;
pub use import::ImportBlock;
pub use modules::{ModuleCall, ModuleInput, ModuleInstance, ProviderPass};
pub use ownership::{IgnoreChanges, Lifecycle, RemovedBlock};
pub use types::TypeConstraint;
pub use types::parse_number as types_parse_number;

/// The file name suffix of configuration files.
pub const CONFIG_SUFFIX: &str = ".zen.hcl";
/// The variables file loaded automatically when present.
pub const AUTO_VARS_FILE: &str = "zentra.vars.hcl";
/// The default local state file.
pub const DEFAULT_STATE_FILE: &str = "zentra.state.json";

/// An expression together with the file it came from.
#[derive(Clone, Debug)]
pub struct Expr {
    pub file: FileId,
    pub expr: Expression,
}

impl Expr {
    pub fn span(&self) -> Option<Span> {
        Span::new(self.file, self.expr.span())
    }
}

/// A block body together with the file it came from.
#[derive(Clone, Debug)]
pub struct SourceBody {
    pub file: FileId,
    pub body: Body,
    /// Span of the whole block.
    pub span: Option<Span>,
}

/// `zentra { ... }`: settings of the tool itself.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// Where local state lives, relative to the configuration directory.
    pub state_path: Option<String>,
    pub required_version: Option<String>,
    /// `backend "TYPE" { ... }`: where state lives (local file when absent).
    pub backend: Option<Backend>,
    pub backend_span: Option<Span>,
    /// `encryption { ... }`: client-side encryption of state and saved plans.
    pub encryption: Option<EncryptionSettings>,
}

#[derive(Clone, Debug)]
pub struct ProviderBlock {
    pub addr: ProviderAddr,
    pub body: SourceBody,
}

#[derive(Clone, Debug)]
pub struct VariableBlock {
    pub name: String,
    pub ty: TypeConstraint,
    pub default: Option<Expr>,
    pub description: String,
    pub sensitive: bool,
    /// `nullable = false`: null is refused (a null given for a variable with a default takes
    /// the default).
    pub nullable: bool,
    /// `validation { condition, error_message }` blocks, checked once every variable is known.
    pub validations: Vec<Validation>,
    pub span: Option<Span>,
}

/// `validation { condition = ..., error_message = ... }` of a variable.
#[derive(Clone, Debug)]
pub struct Validation {
    pub condition: Expr,
    pub error_message: Expr,
    /// Span of the `validation` block.
    pub span: Option<Span>,
}

#[derive(Clone, Debug)]
pub struct ResourceBlock {
    pub addr: ResourceAddr,
    /// The provider instance (`provider = zoom.emea`), defaulting to the unaliased one.
    pub provider: ProviderAddr,
    /// The attributes and nested blocks, without meta-arguments.
    pub body: SourceBody,
    /// Explicit dependencies from `depends_on`.
    pub depends_on: Vec<(ResourceAddr, Option<Span>)>,
    /// The `lifecycle` meta-block.
    pub lifecycle: Lifecycle,
    /// Span of the block header (`resource "T" "N"`), for diagnostics.
    pub span: Option<Span>,
    /// `for_each` or `count`: how many instances the block declares.
    pub repetition: Option<Repetition>,
    /// Set on each instance of a block with `for_each` or `count` once the workspace has
    /// expanded it: what `each` or `count` stands for in its body.
    pub instance: Option<crate::expand::InstanceBinding>,
}

/// The meta-argument that makes a block declare several instances.
#[derive(Clone, Debug)]
pub enum Repetition {
    /// `for_each = map or set of strings`: instances keyed by string.
    ForEach(Expr),
    /// `count = number`: instances keyed 0, 1, …
    Count(Expr),
}

impl Repetition {
    pub fn expr(&self) -> &Expr {
        match self {
            Repetition::ForEach(e) | Repetition::Count(e) => e,
        }
    }
}

/// `check "NAME" { data "T" "N" { ... }  assert { condition, error_message } }`: assertions
/// evaluated against live data after planning and applying. Its data sources are read like
/// any other (`data.T.N`).
#[derive(Clone, Debug)]
pub struct CheckBlock {
    pub name: String,
    /// The module instance it is written in (empty for the root configuration).
    pub module: Vec<crate::addr::ModuleStep>,
    pub asserts: Vec<Assertion>,
    pub span: Option<Span>,
}

/// `assert { condition = ..., error_message = ... }`.
#[derive(Clone, Debug)]
pub struct Assertion {
    pub condition: Expr,
    pub error_message: Expr,
}

/// `moved { from = OLD  to = NEW }`: what state records at `from` is now `to`'s (a renamed
/// block, a block given `for_each` or `count`, one key renamed).
#[derive(Clone, Debug)]
pub struct MovedBlock {
    pub from: ResourceAddr,
    pub to: ResourceAddr,
    /// Span of the whole block.
    pub span: Option<Span>,
}

#[derive(Clone, Debug)]
pub struct OutputBlock {
    pub name: String,
    pub value: Expr,
    pub description: String,
    pub sensitive: bool,
    /// `depends_on`: resources the output waits for. Outputs are worked out once everything
    /// is applied, so this only has to name declared resources.
    pub depends_on: Vec<(ResourceAddr, Option<Span>)>,
}

/// A loaded configuration directory.
#[derive(Debug, Default)]
pub struct Config {
    pub dir: PathBuf,
    pub sources: SourceMap,
    pub settings: Settings,
    pub providers: Vec<ProviderBlock>,
    pub variables: IndexMap<String, VariableBlock>,
    pub locals: IndexMap<String, Expr>,
    pub resources: IndexMap<ResourceAddr, ResourceBlock>,
    pub outputs: IndexMap<String, OutputBlock>,
    /// `removed` blocks: what happens to objects whose resource block is gone.
    pub removed: Vec<RemovedBlock>,
    /// Drift accepted until a date (`drift_ignore` blocks).
    pub drift_ignores: Vec<DriftIgnore>,
    /// `check` blocks: assertions about live data, warnings when they fail.
    pub checks: Vec<CheckBlock>,
    /// `moved` blocks: state entries to take to a new address without touching the objects.
    pub moved: Vec<MovedBlock>,
    /// The instances of each block with `for_each` or `count`, by the block's address, once
    /// the workspace has expanded them (`resources` then holds the instances).
    pub expansions: std::collections::HashMap<ResourceAddr, crate::expand::Expansion>,
    /// Existing objects to take over by id (`import` blocks).
    pub imports: Vec<ImportBlock>,
    /// `module "NAME" { source = "./dir" ... }` blocks, each with its directory loaded.
    pub module_calls: IndexMap<String, ModuleCall>,
    /// Every module instance (`module.tenant["contoso"]`, nested ones too), once the workspace
    /// has expanded the module blocks; kept in the root configuration only.
    pub module_instances: IndexMap<Vec<ModuleStep>, ModuleInstance>,
    /// The instances of each module block with `for_each` or `count`, by the path of the
    /// module it is written in and its name.
    pub module_expansions:
        std::collections::HashMap<(Vec<ModuleStep>, String), crate::expand::Expansion>,
}

const TOP_LEVEL_BLOCKS: &[&str] = &[
    "zentra",
    "provider",
    "variable",
    "locals",
    "resource",
    "data",
    "output",
    "removed",
    "moved",
    "check",
    "import",
    "drift_ignore",
    "module",
];

impl Config {
    /// Loads every `*.zen.hcl` file in `dir` (sorted by name). Like Terraform, names starting
    /// with `.` (hidden files, editors' lock files such as `.#main.zen.hcl`) are left out; any
    /// other entry so named that is not a readable regular file (a directory, a named pipe, a
    /// broken symbolic link) is an error naming it, never skipped: what it declared would
    /// otherwise be planned for deletion.
    pub fn load_dir(dir: &Path) -> Result<Config, Diagnostics> {
        let files = read_config_files(dir, "")?;
        Config::from_files(dir, files)
    }

    /// Builds a configuration from already-read files (used by tests and `load_dir`).
    pub fn from_files(dir: &Path, files: Vec<SourceFile>) -> Result<Config, Diagnostics> {
        let mut config = Config {
            dir: dir.to_path_buf(),
            ..Config::default()
        };
        let mut diags = Diagnostics::default();
        config.parse_files(files, &mut diags);
        let mut stack = vec![std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf())];
        config.load_modules("", &mut stack, &mut diags);
        config.check_removed(&mut diags);
        config.check_imports(&mut diags);
        diags.into_result()?;
        Ok(config)
    }

    /// Parses `files` into this configuration's blocks, adding them to its sources.
    fn parse_files(&mut self, files: Vec<SourceFile>, diags: &mut Diagnostics) {
        let mut bodies = Vec::new();
        for file in files {
            let too_deep = nesting::check(&file.text).err();
            let parsed = too_deep.is_none().then(|| file.text.parse::<Body>());
            let id = self.sources.add(file);
            match (too_deep, parsed) {
                (Some(deep), _) => diags.push(nesting_error(&self.sources, id, &deep)),
                (None, Some(Ok(body))) => bodies.push((id, body)),
                (None, Some(Err(e))) => diags.push(parse_error(&self.sources, id, &e)),
                (None, None) => {}
            }
        }
        for (file, body) in bodies {
            self.add_body(file, body, diags);
        }
    }
}

/// Reads every `*.zen.hcl` file of `dir`, shown as `{display_prefix}{file name}` in messages.
pub(crate) fn read_config_files(
    dir: &Path,
    display_prefix: &str,
) -> Result<Vec<SourceFile>, Diagnostics> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Diagnostic::error(format!(
            "cannot read configuration directory `{}`: {e}",
            dir.display()
        ))
        .with_hint("pass the directory holding your *.zen.hcl files with --chdir DIR")
    })?;
    let mut paths: Vec<PathBuf> = Vec::new();
    let mut diags = Diagnostics::default();
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                diags.push(Diagnostic::error(format!(
                    "cannot list configuration directory `{}`: {e}",
                    dir.display()
                )));
                continue;
            }
        };
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.ends_with(CONFIG_SUFFIX) && !name.starts_with('.') {
            paths.push(entry.path());
        }
    }
    paths.sort();
    if paths.is_empty() && !diags.has_errors() {
        return Err(Diagnostic::error(format!(
            "no configuration files (*{CONFIG_SUFFIX}) in `{}`",
            dir.display()
        ))
        .with_hint("run zentra in the directory holding your configuration, or pass --chdir DIR")
        .into());
    }
    let mut files = Vec::new();
    for path in paths {
        let display = format!(
            "{display_prefix}{}",
            path.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        );
        match read_source(&path, FileKind::Configuration) {
            Ok(text) => files.push(SourceFile {
                display_path: display,
                path,
                text,
            }),
            Err(e) => {
                let d = Diagnostic::error(format!("cannot read `{display}`: {e}"));
                diags.push(match e {
                    ReadError::NotText => {
                        d.with_hint("save the file as UTF-8 (configuration files are UTF-8 text)")
                    }
                    ReadError::NotRegular(_)
                    | ReadError::DanglingLink
                    | ReadError::LinkLoop
                    | ReadError::NotFound => d.with_hint(format!(
                        "every *{CONFIG_SUFFIX} entry must be a readable file: fix it, or \
                             rename or remove it if it holds no configuration"
                    )),
                    _ => d,
                });
            }
        }
    }
    diags.into_result()?;
    Ok(files)
}

impl Config {
    fn add_body(&mut self, file: FileId, body: Body, diags: &mut Diagnostics) {
        for structure in body.into_iter() {
            match structure {
                Structure::Attribute(attr) => {
                    diags.push(
                        Diagnostic::error(format!(
                            "unexpected attribute `{}` at the top level",
                            attr.key.as_str()
                        ))
                        .at_span(&self.sources, Span::new(file, attr.span()).as_ref())
                        .with_hint("top-level attributes belong in a `locals { ... }` block"),
                    );
                }
                Structure::Block(block) => self.add_block(file, block, diags),
            }
        }
    }

    fn span(&self, file: FileId, range: Option<std::ops::Range<usize>>) -> Option<Span> {
        Span::new(file, range)
    }

    fn err_at(
        &self,
        file: FileId,
        range: Option<std::ops::Range<usize>>,
        msg: String,
    ) -> Diagnostic {
        Diagnostic::error(msg).at_span(&self.sources, self.span(file, range).as_ref())
    }

    fn add_block(&mut self, file: FileId, block: Block, diags: &mut Diagnostics) {
        let kind = block.ident.as_str().to_string();
        let labels: Vec<String> = block
            .labels
            .iter()
            .map(|l| l.as_str().to_string())
            .collect();
        let ident_span = block.ident.span();
        let block_span = self.span(file, block.span());
        if let Some(d) = self.check_labels(file, &kind, &block.labels) {
            return diags.push(d);
        }
        let expect_labels = |n: usize, what: &str| -> Option<Diagnostic> {
            (labels.len() != n).then(|| {
                self.err_at(
                    file,
                    ident_span.clone(),
                    format!(
                        "`{kind}` block needs {what}, found {} label(s)",
                        labels.len()
                    ),
                )
            })
        };
        match kind.as_str() {
            "zentra" => {
                if let Some(d) = expect_labels(0, "no labels") {
                    return diags.push(d);
                }
                self.add_settings(file, block.body, diags);
            }
            "provider" => {
                if let Some(d) =
                    expect_labels(1, "one label, the provider type (`provider \"zoom\"`)")
                {
                    return diags.push(d);
                }
                let mut body = block.body;
                let alias = match body.remove_attribute("alias") {
                    Some(attr) => match literal_string(&attr.value) {
                        Some(s) if !crate::addr::is_identifier(&s) => {
                            diags.push(self.err_at(
                                file,
                                attr.value.span(),
                                format!(
                                    "`alias` {s:?} is not a valid name: it must start with a \
                                     letter or underscore, and hold only letters, digits, \
                                     underscores and dashes"
                                ),
                            ));
                            None
                        }
                        Some(s) => Some(s),
                        None => {
                            diags.push(self.err_at(
                                file,
                                attr.value.span(),
                                "`alias` must be a literal string".into(),
                            ));
                            None
                        }
                    },
                    None => None,
                };
                let addr = ProviderAddr {
                    type_name: labels[0].clone(),
                    alias,
                };
                if self.providers.iter().any(|p| p.addr == addr) {
                    diags.push(self.err_at(
                        file,
                        ident_span,
                        format!("provider `{addr}` is configured twice"),
                    ).with_hint("give the second block an `alias = \"...\"` and select it per resource with `provider = TYPE.ALIAS`"));
                    return;
                }
                self.providers.push(ProviderBlock {
                    addr,
                    body: SourceBody {
                        file,
                        body,
                        span: block_span,
                    },
                });
            }
            "variable" => {
                if let Some(d) = expect_labels(1, "one label, the variable name") {
                    return diags.push(d);
                }
                self.add_variable(file, labels[0].clone(), block.body, block_span, diags);
            }
            "locals" => {
                if let Some(d) = expect_labels(0, "no labels") {
                    return diags.push(d);
                }
                for structure in block.body.into_iter() {
                    match structure {
                        Structure::Attribute(attr) => {
                            let name = attr.key.as_str().to_string();
                            if self.locals.contains_key(&name) {
                                diags.push(self.err_at(
                                    file,
                                    attr.key.span(),
                                    format!("local value `{name}` is defined twice"),
                                ));
                                continue;
                            }
                            self.locals.insert(
                                name,
                                Expr {
                                    file,
                                    expr: attr.value,
                                },
                            );
                        }
                        Structure::Block(b) => diags.push(
                            self.err_at(
                                file,
                                b.ident.span(),
                                format!("unexpected block `{}` in `locals`", b.ident.as_str()),
                            )
                            .with_hint("`locals` holds only attributes: name = expression"),
                        ),
                    }
                }
            }
            "resource" | "data" => {
                if let Some(d) = expect_labels(
                    2,
                    "two labels, the type and the name (`resource \"zoom_group\" \"sales\"`)",
                ) {
                    return diags.push(d);
                }
                let mode = if kind == "data" {
                    Mode::Data
                } else {
                    Mode::Managed
                };
                let addr = ResourceAddr {
                    module: Vec::new(),
                    mode,
                    type_name: labels[0].clone(),
                    name: labels[1].clone(),
                    key: None,
                };
                self.add_resource(file, addr, block.body, block_span, diags);
            }
            "drift_ignore" => {
                if let Some(d) = expect_labels(0, "no labels") {
                    return diags.push(d);
                }
                self.add_drift_ignore(file, block.body, self.span(file, ident_span), diags);
            }
            "output" => {
                if let Some(d) = expect_labels(1, "one label, the output name") {
                    return diags.push(d);
                }
                self.add_output(file, labels[0].clone(), block.body, ident_span, diags);
            }
            "removed" => self.add_removed(file, block, diags),
            "check" => {
                if let Some(d) = expect_labels(1, "one label, the check's name") {
                    return diags.push(d);
                }
                self.add_check(file, labels[0].clone(), block.body, block_span, diags);
            }
            "moved" => {
                if let Some(d) = expect_labels(0, "no labels") {
                    return diags.push(d);
                }
                self.add_moved(file, block.body, block_span, ident_span, diags);
            }
            "import" => self.add_import(file, block, diags),
            "module" => {
                if let Some(d) = expect_labels(1, "one label, the module's name") {
                    return diags.push(d);
                }
                self.add_module_call(file, labels[0].clone(), block.body, block_span, diags);
            }
            other => {
                let mut d = self.err_at(file, ident_span, format!("unknown block type `{other}`"));
                d = match did_you_mean(other, TOP_LEVEL_BLOCKS.iter().copied()) {
                    Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                    None => d.with_hint(format!(
                        "top-level blocks are: {}",
                        TOP_LEVEL_BLOCKS.join(", ")
                    )),
                };
                diags.push(d);
            }
        }
    }

    fn add_settings(&mut self, file: FileId, body: Body, diags: &mut Diagnostics) {
        for structure in body.into_iter() {
            match structure {
                Structure::Attribute(attr) => {
                    let key = attr.key.as_str();
                    let value = literal_string(&attr.value);
                    match (key, value) {
                        ("state_path", Some(v)) => self.settings.state_path = Some(v),
                        ("required_version", Some(v)) => self.settings.required_version = Some(v),
                        ("state_path" | "required_version", None) => diags.push(self.err_at(
                            file,
                            attr.value.span(),
                            format!("`{key}` must be a literal string"),
                        )),
                        _ => diags.push(unknown_attr(
                            self,
                            file,
                            &attr,
                            &["state_path", "required_version"],
                            "zentra",
                        )),
                    }
                }
                Structure::Block(b) if b.ident.as_str() == "backend" => {
                    self.add_backend(file, b, diags);
                }
                Structure::Block(b) if b.ident.as_str() == "encryption" => {
                    self.add_encryption(file, b, diags);
                }
                Structure::Block(b) => diags.push(
                    self.err_at(
                        file,
                        b.ident.span(),
                        format!("unexpected block `{}` in `zentra`", b.ident.as_str()),
                    )
                    .with_hint("`zentra` holds `state_path`, `required_version`, and `backend` and `encryption` blocks"),
                ),
            }
        }
        if self.settings.state_path.is_some()
            && matches!(
                self.settings.backend,
                Some(Backend::Azurerm(_) | Backend::S3(_))
            )
        {
            diags.push(
                Diagnostic::error(
                    "`state_path` is a local file, but a remote `backend` is configured",
                )
                .at_span(&self.sources, self.settings.backend_span.as_ref())
                .with_hint("remove `state_path`: the backend's `key` names the state"),
            );
        }
    }

    fn add_variable(
        &mut self,
        file: FileId,
        name: String,
        body: Body,
        span: Option<Span>,
        diags: &mut Diagnostics,
    ) {
        if self.variables.contains_key(&name) {
            diags.push(
                Diagnostic::error(format!("variable `{name}` is declared twice"))
                    .at_span(&self.sources, span.as_ref()),
            );
            return;
        }
        let mut var = VariableBlock {
            name: name.clone(),
            ty: TypeConstraint::Any,
            default: None,
            description: String::new(),
            sensitive: false,
            nullable: true,
            validations: Vec::new(),
            span,
        };
        for structure in body.into_iter() {
            match structure {
                Structure::Attribute(attr) => match attr.key.as_str() {
                    "type" => match TypeConstraint::parse(&attr.value) {
                        Ok(t) => var.ty = t,
                        Err(msg) => diags.push(self.err_at(file, attr.value.span(), msg)),
                    },
                    "default" => {
                        var.default = Some(Expr {
                            file,
                            expr: attr.value,
                        })
                    }
                    "description" => match literal_string(&attr.value) {
                        Some(s) => var.description = s,
                        None => diags.push(self.err_at(
                            file,
                            attr.value.span(),
                            "`description` must be a literal string".into(),
                        )),
                    },
                    "sensitive" => match literal_bool(&attr.value) {
                        Some(b) => var.sensitive = b,
                        None => diags.push(self.err_at(
                            file,
                            attr.value.span(),
                            "`sensitive` must be true or false".into(),
                        )),
                    },
                    "nullable" => match literal_bool(&attr.value) {
                        Some(b) => var.nullable = b,
                        None => diags.push(self.err_at(
                            file,
                            attr.value.span(),
                            "`nullable` must be true or false".into(),
                        )),
                    },
                    _ => diags.push(unknown_attr(
                        self,
                        file,
                        &attr,
                        &["type", "default", "description", "sensitive", "nullable"],
                        "variable",
                    )),
                },
                Structure::Block(b) if b.ident.as_str() == "validation" => {
                    if let Some(v) = self.validation(file, &name, b, diags) {
                        var.validations.push(v);
                    }
                }
                Structure::Block(b) => diags.push(self.err_at(
                    file,
                    b.ident.span(),
                    format!(
                        "unexpected block `{}` in variable `{name}`",
                        b.ident.as_str()
                    ),
                )),
            }
        }
        self.variables.insert(name, var);
    }

    fn add_check(
        &mut self,
        file: FileId,
        name: String,
        body: Body,
        span: Option<Span>,
        diags: &mut Diagnostics,
    ) {
        if self.checks.iter().any(|c| c.name == name) {
            diags.push(
                Diagnostic::error(format!("check `{name}` is declared twice"))
                    .at_span(&self.sources, span.as_ref())
                    .with_hint("give each check a different name"),
            );
            return;
        }
        let mut asserts = Vec::new();
        for structure in body.into_iter() {
            match structure {
                Structure::Block(b) if b.ident.as_str() == "assert" => {
                    let ident = b.ident.span();
                    let mut condition = None;
                    let mut error_message = None;
                    for inner in b.body.into_iter() {
                        match inner {
                            Structure::Attribute(attr) if attr.key.as_str() == "condition" => {
                                condition = Some(Expr {
                                    file,
                                    expr: attr.value,
                                });
                            }
                            Structure::Attribute(attr) if attr.key.as_str() == "error_message" => {
                                error_message = Some(Expr {
                                    file,
                                    expr: attr.value,
                                });
                            }
                            Structure::Attribute(attr) => diags.push(unknown_attr(
                                self,
                                file,
                                &attr,
                                &["condition", "error_message"],
                                "assert",
                            )),
                            Structure::Block(b) => diags.push(self.err_at(
                                file,
                                b.ident.span(),
                                format!("unexpected block `{}` in `assert`", b.ident.as_str()),
                            )),
                        }
                    }
                    match (condition, error_message) {
                        (Some(condition), Some(error_message)) => asserts.push(Assertion {
                            condition,
                            error_message,
                        }),
                        _ => diags.push(
                            self.err_at(
                                file,
                                ident,
                                format!("an `assert` of check `{name}` needs `condition` and `error_message`"),
                            )
                            .with_hint("write it as: assert { condition = <true when all is well>, error_message = \"what is wrong\" }"),
                        ),
                    }
                }
                Structure::Block(b) if b.ident.as_str() == "data" => {
                    let labels: Vec<String> =
                        b.labels.iter().map(|l| l.as_str().to_string()).collect();
                    if labels.len() != 2 {
                        diags.push(self.err_at(
                            file,
                            b.ident.span(),
                            "`data` block needs two labels, the type and the name".into(),
                        ));
                        continue;
                    }
                    let block_span = self.span(file, b.span());
                    self.add_resource(
                        file,
                        ResourceAddr::data(labels[0].clone(), labels[1].clone()),
                        b.body,
                        block_span,
                        diags,
                    );
                }
                Structure::Block(b) => diags.push(
                    self.err_at(
                        file,
                        b.ident.span(),
                        format!("unexpected block `{}` in check `{name}`", b.ident.as_str()),
                    )
                    .with_hint("a check holds `assert` blocks and, optionally, `data` blocks"),
                ),
                Structure::Attribute(attr) => diags.push(
                    self.err_at(
                        file,
                        attr.key.span(),
                        format!(
                            "unexpected attribute `{}` in check `{name}`",
                            attr.key.as_str()
                        ),
                    )
                    .with_hint("a check holds `assert` blocks and, optionally, `data` blocks"),
                ),
            }
        }
        if asserts.is_empty() {
            diags.push(
                Diagnostic::error(format!("check `{name}` has no `assert` block"))
                    .at_span(&self.sources, span.as_ref())
                    .with_hint("add assert { condition = ..., error_message = \"...\" }"),
            );
            return;
        }
        self.checks.push(CheckBlock {
            name,
            module: Vec::new(),
            asserts,
            span,
        });
    }

    fn add_moved(
        &mut self,
        file: FileId,
        body: Body,
        span: Option<Span>,
        ident_span: Option<std::ops::Range<usize>>,
        diags: &mut Diagnostics,
    ) {
        let shape = "moved { from = TYPE.OLD_NAME  to = TYPE.NEW_NAME }";
        let mut from = None;
        let mut to = None;
        for structure in body.into_iter() {
            match structure {
                Structure::Attribute(attr) if matches!(attr.key.as_str(), "from" | "to") => {
                    let text = attr.value.to_string();
                    match text.trim().parse::<ResourceAddr>() {
                        Ok(addr) if attr.key.as_str() == "from" => from = Some(addr),
                        Ok(addr) => to = Some(addr),
                        Err(_) => diags.push(
                            self.err_at(
                                file,
                                attr.value.span(),
                                format!(
                                    "`{}` must be a resource address, like `zoom_group.pilot` \
                                     or `zoom_group.pilot[\"emea\"]`",
                                    attr.key.as_str()
                                ),
                            )
                            .with_hint(format!("a `moved` block reads: {shape}")),
                        ),
                    }
                }
                Structure::Attribute(attr) => {
                    diags.push(unknown_attr(self, file, &attr, &["from", "to"], "moved"))
                }
                Structure::Block(b) => diags.push(self.err_at(
                    file,
                    b.ident.span(),
                    format!("unexpected block `{}` in `moved`", b.ident.as_str()),
                )),
            }
        }
        match (from, to) {
            (Some(from), Some(to)) => self.moved.push(MovedBlock { from, to, span }),
            (from, _) => {
                let missing = if from.is_none() { "from" } else { "to" };
                diags.push(
                    self.err_at(file, ident_span, format!("`moved` has no `{missing}`"))
                        .with_hint(format!("write it as: {shape}")),
                );
            }
        }
    }

    /// A variable's `validation { condition, error_message }` block.
    fn validation(
        &self,
        file: FileId,
        variable: &str,
        block: Block,
        diags: &mut Diagnostics,
    ) -> Option<Validation> {
        let span = self.span(file, block.span());
        let ident_span = block.ident.span();
        let mut condition = None;
        let mut error_message = None;
        for structure in block.body.into_iter() {
            match structure {
                Structure::Attribute(attr) => match attr.key.as_str() {
                    "condition" => {
                        condition = Some(Expr {
                            file,
                            expr: attr.value,
                        })
                    }
                    "error_message" => {
                        error_message = Some(Expr {
                            file,
                            expr: attr.value,
                        })
                    }
                    _ => diags.push(unknown_attr(
                        self,
                        file,
                        &attr,
                        &["condition", "error_message"],
                        "validation",
                    )),
                },
                Structure::Block(b) => diags.push(self.err_at(
                    file,
                    b.ident.span(),
                    format!("unexpected block `{}` in `validation`", b.ident.as_str()),
                )),
            }
        }
        match (condition, error_message) {
            (Some(condition), Some(error_message)) => Some(Validation {
                condition,
                error_message,
                span,
            }),
            (condition, _) => {
                let missing = if condition.is_none() {
                    "condition"
                } else {
                    "error_message"
                };
                diags.push(
                    self.err_at(
                        file,
                        ident_span,
                        format!("the `validation` of variable `{variable}` has no `{missing}`"),
                    )
                    .with_hint(
                        "write it as: validation { condition = <true when the value is valid>, \
                         error_message = \"what is wrong, and what to write instead\" }",
                    ),
                );
                None
            }
        }
    }

    fn add_resource(
        &mut self,
        file: FileId,
        addr: ResourceAddr,
        mut body: Body,
        span: Option<Span>,
        diags: &mut Diagnostics,
    ) {
        if self.resources.contains_key(&addr) {
            diags.push(
                Diagnostic::error(format!("`{addr}` is declared twice"))
                    .at_span(&self.sources, span.as_ref())
                    .with_hint("give each resource of a type a different name"),
            );
            return;
        }
        let mut provider = ProviderAddr::default_for(addr.provider_type());
        if let Some(attr) = body.remove_attribute("provider") {
            match provider_reference(&attr.value) {
                Some(p) if p.type_name == addr.provider_type() => provider = p,
                Some(p) => diags.push(self.err_at(
                    file,
                    attr.value.span(),
                    format!(
                        "`{addr}` is served by provider `{}`, not `{}`",
                        addr.provider_type(),
                        p.type_name
                    ),
                )),
                None => diags.push(self.err_at(
                    file,
                    attr.value.span(),
                    "`provider` must name a provider, like `zoom` or `zoom.emea`".into(),
                )),
            }
        }
        let lifecycle = self.take_lifecycle(file, &addr, &mut body, diags);
        let for_each = body.remove_attribute("for_each");
        let count = body.remove_attribute("count");
        let repetition = match (for_each, count) {
            (Some(f), Some(c)) => {
                diags.push(
                    self.err_at(
                        file,
                        c.key.span(),
                        format!("`{addr}` sets both `count` and `for_each`"),
                    )
                    .with_hint(
                        "use one of them: `for_each` (a map or a set of strings) for instances \
                         by key, `count` for numbered ones",
                    ),
                );
                drop(f);
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
        let depends_on = body
            .remove_attribute("depends_on")
            .map(|attr| self.depends_on_list(file, &attr.value, diags))
            .unwrap_or_default();
        self.resources.insert(
            addr.clone(),
            ResourceBlock {
                addr,
                provider,
                body: SourceBody {
                    file,
                    body,
                    span: span.clone(),
                },
                depends_on,
                lifecycle,
                span,
                repetition,
                instance: None,
            },
        );
    }

    /// The resource addresses of a `depends_on = [...]` list.
    fn depends_on_list(
        &self,
        file: FileId,
        value: &Expression,
        diags: &mut Diagnostics,
    ) -> Vec<(ResourceAddr, Option<Span>)> {
        let mut depends_on = Vec::new();
        match value {
            Expression::Array(items) => {
                for item in items.iter() {
                    match traversal_addr(item) {
                        Some(a) => depends_on.push((a, self.span(file, item.span()))),
                        None => diags.push(self.err_at(
                            file,
                            item.span(),
                            "`depends_on` entries must be resource addresses like `zoom_group.sales`"
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
        depends_on
    }

    fn add_output(
        &mut self,
        file: FileId,
        name: String,
        body: Body,
        span: Option<std::ops::Range<usize>>,
        diags: &mut Diagnostics,
    ) {
        let mut value = None;
        let mut description = String::new();
        let mut sensitive = false;
        let mut depends_on = Vec::new();
        for structure in body.into_iter() {
            match structure {
                Structure::Attribute(attr) => match attr.key.as_str() {
                    "value" => {
                        value = Some(Expr {
                            file,
                            expr: attr.value,
                        })
                    }
                    "description" => description = literal_string(&attr.value).unwrap_or_default(),
                    "sensitive" => sensitive = literal_bool(&attr.value).unwrap_or(false),
                    "depends_on" => depends_on = self.depends_on_list(file, &attr.value, diags),
                    _ => diags.push(unknown_attr(
                        self,
                        file,
                        &attr,
                        &["value", "description", "sensitive", "depends_on"],
                        "output",
                    )),
                },
                Structure::Block(b) => diags.push(self.err_at(
                    file,
                    b.ident.span(),
                    format!("unexpected block `{}` in output `{name}`", b.ident.as_str()),
                )),
            }
        }
        match value {
            Some(value) => {
                self.outputs.insert(
                    name.clone(),
                    OutputBlock {
                        name,
                        value,
                        description,
                        sensitive,
                        depends_on,
                    },
                );
            }
            None => diags.push(
                self.err_at(file, span, format!("output `{name}` has no `value`"))
                    .with_hint("add `value = <expression>`"),
            ),
        }
    }

    /// The declared resources an address written in configuration stands for: itself, or
    /// every instance of a block with `for_each` or `count`; `None` when it is not declared.
    pub fn instances_of(&self, addr: &ResourceAddr) -> Option<Vec<ResourceAddr>> {
        if self.resources.contains_key(addr) {
            return Some(vec![addr.clone()]);
        }
        self.expansions
            .get(addr)
            .map(|e| e.keys().map(|k| addr.with_key(k)).collect())
    }

    /// The configured block for a provider address, if any.
    pub fn provider(&self, addr: &ProviderAddr) -> Option<&ProviderBlock> {
        self.providers.iter().find(|p| &p.addr == addr)
    }

    /// Where local state is kept.
    pub fn state_path(&self) -> PathBuf {
        self.dir.join(
            self.settings
                .state_path
                .as_deref()
                .unwrap_or(DEFAULT_STATE_FILE),
        )
    }
}

pub(crate) fn unknown_attr(
    config: &Config,
    file: FileId,
    attr: &Attribute,
    known: &[&str],
    block: &str,
) -> Diagnostic {
    let key = attr.key.as_str();
    let d = config.err_at(
        file,
        attr.key.span(),
        format!("unknown attribute `{key}` in `{block}` block"),
    );
    match did_you_mean(key, known.iter().copied()) {
        Some(s) => d.with_hint(format!("did you mean `{s}`?")),
        None => d.with_hint(format!("allowed here: {}", known.join(", "))),
    }
}

fn parse_error(sources: &SourceMap, file: FileId, e: &hcl::edit::parser::Error) -> Diagnostic {
    let src = sources.file(file);
    syntax::syntax_error(&src.display_path, &src.text, e)
}

/// Text nested too deeply to parse safely, at the place it goes too deep.
pub fn nesting_error(sources: &SourceMap, file: FileId, deep: &nesting::TooDeep) -> Diagnostic {
    Diagnostic::error(deep.message())
        .at(crate::diag::Location {
            file: sources.file(file).display_path.clone(),
            line: deep.line,
            column: deep.column,
            line_text: deep.line_text.clone(),
            width: 1,
        })
        .with_hint(nesting::TooDeep::HINT)
}

/// The string of a literal string expression (no interpolation).
pub fn literal_string(expr: &Expression) -> Option<String> {
    match expr {
        Expression::String(s) => Some(s.value().clone()),
        Expression::StringTemplate(t) => {
            let mut out = String::new();
            for el in t.iter() {
                out.push_str(el.as_literal()?.value());
            }
            Some(out)
        }
        _ => None,
    }
}

pub(crate) fn literal_bool(expr: &Expression) -> Option<bool> {
    match expr {
        Expression::Bool(b) => Some(*b.value()),
        _ => None,
    }
}

/// `zoom` or `zoom.emea` as a provider address.
pub(crate) fn provider_reference(expr: &Expression) -> Option<ProviderAddr> {
    match expr {
        Expression::Variable(v) => Some(ProviderAddr::default_for(v.as_str())),
        Expression::Traversal(t) => {
            let Expression::Variable(root) = &t.expr else {
                return None;
            };
            match t.operators.as_slice() {
                [op] => match op.value() {
                    hcl::edit::expr::TraversalOperator::GetAttr(alias) => Some(ProviderAddr {
                        type_name: root.as_str().to_string(),
                        alias: Some(alias.as_str().to_string()),
                    }),
                    _ => None,
                },
                _ => None,
            }
        }
        _ => None,
    }
}

/// `TYPE.NAME` or `data.TYPE.NAME` written as a traversal.
pub fn traversal_addr(expr: &Expression) -> Option<ResourceAddr> {
    let Expression::Traversal(t) = expr else {
        return None;
    };
    let Expression::Variable(root) = &t.expr else {
        return None;
    };
    let names: Vec<&str> = t
        .operators
        .iter()
        .map(|op| match op.value() {
            hcl::edit::expr::TraversalOperator::GetAttr(id) => Some(id.as_str()),
            _ => None,
        })
        .collect::<Option<_>>()?;
    match (root.as_str(), names.as_slice()) {
        ("data", [t, n]) => Some(ResourceAddr::data(*t, *n)),
        (t, [n]) => Some(ResourceAddr::managed(t, *n)),
        _ => None,
    }
}

/// Reads a UTF-8 source file (within `kind`'s size cap, regular files only), without the byte
/// order mark some Windows editors write first.
pub fn read_source(path: &Path, kind: FileKind) -> Result<String, ReadError> {
    let text = crate::files::read_text(path, kind)?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

#[cfg(test)]
mod tests;
