//! The configuration's say over what zentra may destroy: a resource's `lifecycle` meta-block
//! (`prevent_destroy`, `create_before_destroy`), and top-level `removed` blocks, which decide what happens to the remote
//! object of a resource whose block is gone (deleted, or only forgotten).

use hcl::edit::Span as _;
use hcl::edit::expr::Expression;
use hcl::edit::structure::{Block, Body, Structure};

use super::{Config, traversal_addr};
use crate::addr::{Mode, ResourceAddr};
use crate::diag::{Diagnostic, Diagnostics, FileId, Span, did_you_mean};

/// A resource's `lifecycle { ... }` block.
#[derive(Clone, Debug, Default)]
pub struct Lifecycle {
    /// Plans that would delete or replace the resource's object fail.
    pub prevent_destroy: bool,
    /// `ignore_changes`: attributes compared only when the object is created.
    pub ignore_changes: IgnoreChanges,
    /// A replacement creates the new object before it deletes the old one.
    pub create_before_destroy: bool,
    /// Span of the `create_before_destroy` attribute, for diagnostics.
    pub create_before_destroy_span: Option<Span>,
    /// Span of the `lifecycle` block, for diagnostics.
    pub span: Option<Span>,
}

/// `lifecycle { ignore_changes = [attr, nested.attr] | all }`: what is set when the object is
/// created but never compared (nor written) afterwards.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum IgnoreChanges {
    #[default]
    Nothing,
    /// `all`: the object is only created, never updated.
    All,
    /// Dotted attribute paths (`security.signin_with_sso.domains`).
    Paths(Vec<String>),
}

impl IgnoreChanges {
    /// Whether the attribute at the dotted `path` is ignored (itself, or a block around it).
    pub fn ignores(&self, path: &str) -> bool {
        match self {
            IgnoreChanges::Nothing => false,
            IgnoreChanges::All => true,
            IgnoreChanges::Paths(paths) => paths.iter().any(|p| {
                path == p
                    || path
                        .strip_prefix(p.as_str())
                        .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
            }),
        }
    }

    /// `desired` without the ignored attributes, for updating an existing object.
    pub fn strip(&self, desired: &crate::value::Value) -> crate::value::Value {
        let IgnoreChanges::Paths(paths) = self else {
            return desired.clone();
        };
        let mut out = desired.clone();
        for path in paths {
            let steps: Vec<&str> = path.split('.').collect();
            remove_path(&mut out, &steps);
        }
        out
    }
}

fn remove_path(value: &mut crate::value::Value, steps: &[&str]) {
    use crate::value::Value;
    let map = match value {
        Value::Object(map) => map,
        Value::Sensitive(inner) => return remove_path(inner, steps),
        _ => return,
    };
    match steps {
        [] => {}
        [last] => {
            map.shift_remove(*last);
        }
        [first, rest @ ..] => {
            if let Some(inner) = map.get_mut(*first) {
                remove_path(inner, rest);
            }
        }
    }
}

/// An `ignore_changes` entry: `name`, `nested.name` (a traversal), or the same as a string.
fn ignore_path(expr: &Expression) -> Option<String> {
    if let Some(s) = super::literal_string(expr) {
        return Some(s);
    }
    match expr {
        Expression::Variable(v) => Some(v.as_str().to_string()),
        Expression::Traversal(t) => {
            let Expression::Variable(root) = &t.expr else {
                return None;
            };
            let mut out = root.as_str().to_string();
            for op in t.operators.iter() {
                match op.value() {
                    hcl::edit::expr::TraversalOperator::GetAttr(id) => {
                        out.push('.');
                        out.push_str(id.as_str());
                    }
                    _ => return None,
                }
            }
            Some(out)
        }
        _ => None,
    }
}

/// `removed { from = TYPE.NAME  lifecycle { destroy = BOOL } }`.
#[derive(Clone, Debug)]
pub struct RemovedBlock {
    /// The resource whose block is gone.
    pub from: ResourceAddr,
    /// Delete its remote object (`true`), or only forget it (`false`).
    pub destroy: bool,
    /// Span of the whole block.
    pub span: Option<Span>,
}

/// The arguments `lifecycle` takes in a `resource` block.
const LIFECYCLE_ARGUMENTS: &[&str] =
    &["prevent_destroy", "ignore_changes", "create_before_destroy"];
/// Arguments other tools accept in `lifecycle` that zentra does not implement (yet).
const UNSUPPORTED_LIFECYCLE: &[&str] = &["replace_triggered_by"];

fn literal_bool(expr: &Expression) -> Option<bool> {
    match expr {
        Expression::Bool(b) => Some(*b.value()),
        _ => None,
    }
}

impl Config {
    /// Takes the `lifecycle` block out of a resource's body.
    pub(super) fn take_lifecycle(
        &self,
        file: FileId,
        addr: &ResourceAddr,
        body: &mut Body,
        diags: &mut Diagnostics,
    ) -> Lifecycle {
        let mut lifecycle = Lifecycle::default();
        let blocks = body.remove_blocks("lifecycle");
        for (i, block) in blocks.into_iter().enumerate() {
            if i > 0 {
                diags.push(
                    self.err_at(
                        file,
                        block.ident.span(),
                        format!("`{addr}` has more than one `lifecycle` block"),
                    )
                    .with_hint("merge them into one"),
                );
                continue;
            }
            if addr.mode == Mode::Data {
                diags.push(
                    self.err_at(
                        file,
                        block.ident.span(),
                        format!("data source `{addr}` cannot have a `lifecycle` block"),
                    )
                    .with_hint("data sources are only read, never changed or deleted"),
                );
                continue;
            }
            if !block.labels.is_empty() {
                diags.push(self.err_at(
                    file,
                    block.ident.span(),
                    "`lifecycle` takes no labels".into(),
                ));
            }
            lifecycle.span = self.span(file, block.span());
            for structure in block.body.into_iter() {
                match structure {
                    Structure::Attribute(attr) => match attr.key.as_str() {
                        "prevent_destroy" => match literal_bool(&attr.value) {
                            Some(b) => lifecycle.prevent_destroy = b,
                            None => diags.push(
                                self.err_at(
                                    file,
                                    attr.value.span(),
                                    "`prevent_destroy` must be `true` or `false`".into(),
                                )
                                .with_hint(
                                    "write the value itself: it is read before any variable is \
                                     evaluated",
                                ),
                            ),
                        },
                        "create_before_destroy" => match literal_bool(&attr.value) {
                            Some(b) => {
                                lifecycle.create_before_destroy = b;
                                lifecycle.create_before_destroy_span =
                                    self.span(file, attr.span());
                            }
                            None => diags.push(
                                self.err_at(
                                    file,
                                    attr.value.span(),
                                    "`create_before_destroy` must be `true` or `false`".into(),
                                )
                                .with_hint(
                                    "write the value itself: it is read before any variable is \
                                     evaluated",
                                ),
                            ),
                        },
                        "ignore_changes" => match &attr.value {
                            Expression::Variable(v) if v.as_str() == "all" => {
                                lifecycle.ignore_changes = IgnoreChanges::All;
                            }
                            Expression::Array(items) => {
                                let mut paths = Vec::new();
                                for item in items.iter() {
                                    match ignore_path(item) {
                                        Some(p) => paths.push(p),
                                        None => diags.push(
                                            self.err_at(
                                                file,
                                                item.span(),
                                                "an `ignore_changes` entry must name an \
                                                 attribute, like `name` or \
                                                 `security.signin_with_sso.domains`"
                                                    .into(),
                                            )
                                            .with_hint("write the attribute's path itself, not an expression"),
                                        ),
                                    }
                                }
                                lifecycle.ignore_changes = IgnoreChanges::Paths(paths);
                            }
                            other => diags.push(
                                self.err_at(
                                    file,
                                    other.span(),
                                    "`ignore_changes` must be a list of attributes or `all`"
                                        .into(),
                                )
                                .with_hint("write `ignore_changes = [name, nested.attr]` or `ignore_changes = all`"),
                            ),
                        },
                        key if UNSUPPORTED_LIFECYCLE.contains(&key) => diags.push(
                            self.err_at(
                                file,
                                attr.key.span(),
                                format!("`lifecycle` argument `{key}` is not supported"),
                            )
                            .with_hint(format!(
                                "`lifecycle` takes: {}",
                                LIFECYCLE_ARGUMENTS.join(", ")
                            )),
                        ),
                        key => {
                            let d = self.err_at(
                                file,
                                attr.key.span(),
                                format!("unknown `lifecycle` argument `{key}`"),
                            );
                            diags.push(
                                match did_you_mean(key, LIFECYCLE_ARGUMENTS.iter().copied()) {
                                    Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                                    None => d.with_hint(format!(
                                        "`lifecycle` takes: {}",
                                        LIFECYCLE_ARGUMENTS.join(", ")
                                    )),
                                },
                            );
                        }
                    },
                    Structure::Block(b) => diags.push(
                        self.err_at(
                            file,
                            b.ident.span(),
                            format!("unexpected block `{}` in `lifecycle`", b.ident.as_str()),
                        )
                        .with_hint(format!(
                            "`lifecycle` takes: {}",
                            LIFECYCLE_ARGUMENTS.join(", ")
                        )),
                    ),
                }
            }
        }
        lifecycle
    }

    /// Reads a top-level `removed` block.
    pub(super) fn add_removed(&mut self, file: FileId, block: Block, diags: &mut Diagnostics) {
        let block_span = self.span(file, block.span());
        let ident_span = block.ident.span();
        if !block.labels.is_empty() {
            diags.push(
                self.err_at(file, ident_span.clone(), "`removed` takes no labels".into())
                    .with_hint(
                        "name the resource inside: removed { from = TYPE.NAME  lifecycle { destroy = false } }",
                    ),
            );
            return;
        }
        let mut from: Option<ResourceAddr> = None;
        let mut from_seen = false;
        let mut destroy: Option<bool> = None;
        let mut lifecycle_seen = false;
        let shape = "removed { from = TYPE.NAME  lifecycle { destroy = true | false } }";
        for structure in block.body.into_iter() {
            match structure {
                Structure::Attribute(attr) if attr.key.as_str() == "from" => {
                    from_seen = true;
                    match traversal_addr(&attr.value) {
                        Some(a) if a.mode == Mode::Data => diags.push(
                            self.err_at(
                                file,
                                attr.value.span(),
                                format!("`removed` names data source `{a}`"),
                            )
                            .with_hint(
                                "data sources are only read: removing their block is enough",
                            ),
                        ),
                        Some(a) => from = Some(a),
                        None => diags.push(
                            self.err_at(
                                file,
                                attr.value.span(),
                                "`from` must be a resource address like `zoom_group.sales`".into(),
                            )
                            .with_hint("write the address without quotes"),
                        ),
                    }
                }
                Structure::Attribute(attr) => {
                    let key = attr.key.as_str();
                    let d = self.err_at(
                        file,
                        attr.key.span(),
                        format!("unknown attribute `{key}` in `removed` block"),
                    );
                    diags.push(match did_you_mean(key, ["from"]) {
                        Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                        None => d.with_hint(format!("a `removed` block reads: {shape}")),
                    });
                }
                Structure::Block(b) if b.ident.as_str() == "lifecycle" => {
                    if lifecycle_seen {
                        diags.push(self.err_at(
                            file,
                            b.ident.span(),
                            "`removed` has more than one `lifecycle` block".into(),
                        ));
                        continue;
                    }
                    lifecycle_seen = true;
                    let lifecycle_span = b.ident.span();
                    for inner in b.body.into_iter() {
                        match inner {
                            Structure::Attribute(attr) if attr.key.as_str() == "destroy" => {
                                match literal_bool(&attr.value) {
                                    Some(v) => destroy = Some(v),
                                    None => diags.push(self.err_at(
                                        file,
                                        attr.value.span(),
                                        "`destroy` must be `true` or `false`".into(),
                                    )),
                                }
                            }
                            Structure::Attribute(attr) => diags.push(
                                self.err_at(
                                    file,
                                    attr.key.span(),
                                    format!(
                                        "unknown argument `{}` in a `removed` block's `lifecycle`",
                                        attr.key.as_str()
                                    ),
                                )
                                .with_hint("it takes only `destroy = true | false`"),
                            ),
                            Structure::Block(inner) => diags.push(
                                self.err_at(
                                    file,
                                    inner.ident.span(),
                                    format!(
                                        "unexpected block `{}` in a `removed` block's `lifecycle`",
                                        inner.ident.as_str()
                                    ),
                                )
                                .with_hint("it takes only `destroy = true | false`"),
                            ),
                        }
                    }
                    if destroy.is_none() {
                        diags.push(
                            self.err_at(
                                file,
                                lifecycle_span,
                                "this `lifecycle` does not say `destroy = true` or `false`".into(),
                            )
                            .with_hint(
                                "`destroy = true` deletes the remote object; `destroy = false` \
                                 only forgets it and leaves it as it is",
                            ),
                        );
                    }
                }
                Structure::Block(b) => diags.push(
                    self.err_at(
                        file,
                        b.ident.span(),
                        format!("unexpected block `{}` in `removed`", b.ident.as_str()),
                    )
                    .with_hint(format!("a `removed` block reads: {shape}")),
                ),
            }
        }
        if !from_seen {
            diags.push(
                self.err_at(file, ident_span.clone(), "`removed` has no `from`".into())
                    .with_hint(format!("write it as: {shape}")),
            );
        }
        if !lifecycle_seen {
            diags.push(
                self.err_at(
                    file,
                    ident_span,
                    "`removed` does not say whether to delete the object".into(),
                )
                .with_hint(
                    "add `lifecycle { destroy = true }` to delete the remote object, or \
                     `lifecycle { destroy = false }` to only forget it and leave it as it is",
                ),
            );
        }
        let (Some(from), Some(destroy)) = (from, destroy) else {
            return;
        };
        if let Some(earlier) = self.removed.iter().find(|r| r.from == from) {
            let other = earlier
                .span
                .as_ref()
                .map(|s| self.sources.locate(s))
                .map(|l| format!("the first is at {}:{}:{}", l.file, l.line, l.column));
            let mut d = Diagnostic::error(format!("two `removed` blocks name `{from}`"))
                .at_span(&self.sources, block_span.as_ref())
                .with_hint("keep one of them");
            if let Some(other) = other {
                d = d.with_detail(other);
            }
            diags.push(d);
            return;
        }
        self.removed.push(RemovedBlock {
            from,
            destroy,
            span: block_span,
        });
    }

    /// A `removed` block must name a resource whose block is gone.
    pub(super) fn check_removed(&self, diags: &mut Diagnostics) {
        for removed in &self.removed {
            let Some(resource) = self.resources.get(&removed.from) else {
                continue;
            };
            let declared = resource
                .span
                .as_ref()
                .map(|s| self.sources.locate(s))
                .map(|l| {
                    format!(
                        "`{}` is declared at {}:{}:{}",
                        removed.from, l.file, l.line, l.column
                    )
                });
            let mut d = Diagnostic::error(format!(
                "`removed` names `{}`, which is still declared as a resource",
                removed.from
            ))
            .at_span(&self.sources, removed.span.as_ref())
            .with_hint(
                "a `removed` block is for a resource whose block is gone: delete the resource \
                 block, or this `removed` block",
            );
            if let Some(declared) = declared {
                d = d.with_detail(declared);
            }
            diags.push(d);
        }
    }
}
