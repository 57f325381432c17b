//! Top-level `import { to = TYPE.NAME  id = "..." }` blocks: the explicit form of adoption,
//! naming an existing object by its remote id rather than by its natural key. Planned as an
//! adoption ("will be imported"), never a write; an id that names no object is an error.

use hcl::edit::Span as _;
use hcl::edit::structure::{Block, Structure};

use hcl::edit::expr::Expression;

use super::{Config, literal_string, traversal_addr};
use crate::addr::{Mode, ResourceAddr};
use crate::diag::{Diagnostic, Diagnostics, FileId, Span, did_you_mean};

/// `import { to = TYPE.NAME  id = "..." }`.
#[derive(Clone, Debug)]
pub struct ImportBlock {
    /// The resource that takes the object over.
    pub to: ResourceAddr,
    /// The object's remote id, as state records it (see `zentra schema TYPE`).
    pub id: String,
    /// Span of the whole block.
    pub span: Option<Span>,
}

const SHAPE: &str = "import { to = TYPE.NAME  id = \"...\" }";

impl Config {
    /// Reads a top-level `import` block.
    pub(super) fn add_import(&mut self, file: FileId, block: Block, diags: &mut Diagnostics) {
        let block_span = self.span(file, block.span());
        let ident_span = block.ident.span();
        if !block.labels.is_empty() {
            diags.push(
                self.err_at(file, ident_span, "`import` takes no labels".into())
                    .with_hint(format!("name the resource inside: {SHAPE}")),
            );
            return;
        }
        let mut to = None;
        let mut id = None;
        let mut complete = (false, false);
        for structure in block.body.into_iter() {
            match structure {
                Structure::Attribute(attr) if attr.key.as_str() == "to" => {
                    complete.0 = true;
                    match import_target(&attr.value) {
                        Some(a) if a.mode == Mode::Data => diags.push(
                            self.err_at(
                                file,
                                attr.value.span(),
                                format!("`import` names data source `{a}`"),
                            )
                            .with_hint("data sources are only read: nothing to import"),
                        ),
                        Some(a) => to = Some(a),
                        None => diags.push(
                            self.err_at(
                                file,
                                attr.value.span(),
                                "`to` must be a resource address like `zoom_group.sales` or \
                                 `zoom_group.pilot[\"emea\"]`"
                                    .into(),
                            )
                            .with_hint("write the address without quotes around it"),
                        ),
                    }
                }
                Structure::Attribute(attr) if attr.key.as_str() == "id" => {
                    complete.1 = true;
                    match literal_string(&attr.value) {
                        Some(text) if !text.trim().is_empty() => id = Some(text),
                        _ => diags.push(
                            self.err_at(
                                file,
                                attr.value.span(),
                                "`id` must be a non-empty string literal".into(),
                            )
                            .with_hint(
                                "write the object's id in quotes; `zentra schema TYPE` says which id each type takes",
                            ),
                        ),
                    }
                }
                Structure::Attribute(attr) => {
                    let key = attr.key.as_str();
                    let d = self.err_at(
                        file,
                        attr.key.span(),
                        format!("unknown attribute `{key}` in `import` block"),
                    );
                    diags.push(match did_you_mean(key, ["to", "id"]) {
                        Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                        None => d.with_hint(format!("an `import` block reads: {SHAPE}")),
                    });
                }
                Structure::Block(b) => diags.push(
                    self.err_at(
                        file,
                        b.ident.span(),
                        format!("unexpected block `{}` in `import`", b.ident.as_str()),
                    )
                    .with_hint(format!("an `import` block reads: {SHAPE}")),
                ),
            }
        }
        for (seen, name) in [(complete.0, "to"), (complete.1, "id")] {
            if !seen {
                diags.push(
                    self.err_at(
                        file,
                        ident_span.clone(),
                        format!("`import` has no `{name}`"),
                    )
                    .with_hint(format!("write it as: {SHAPE}")),
                );
            }
        }
        let (Some(to), Some(id)) = (to, id) else {
            return;
        };
        if self.imports.iter().any(|i| i.to == to) {
            diags.push(
                Diagnostic::error(format!("two `import` blocks name `{to}`"))
                    .at_span(&self.sources, block_span.as_ref())
                    .with_hint("keep one of them"),
            );
            return;
        }
        self.imports.push(ImportBlock {
            to,
            id,
            span: block_span,
        });
    }

    /// An `import` block must name a declared resource: a block without `for_each` or `count`
    /// by its address, one with them by an instance key (checked against the keys once the
    /// block is expanded, by [`Config::check_import_instances`]).
    pub(super) fn check_imports(&self, diags: &mut Diagnostics) {
        for import in &self.imports {
            let block = import.to.block();
            let Some(declared) = self.resources.get(&block) else {
                diags.push(self.undeclared_import(import));
                continue;
            };
            let repeated = declared.repetition.is_some();
            let problem = match (repeated, import.to.key.is_some()) {
                (true, false) => Some((
                    format!(
                        "`import` names `{block}`, which has `for_each` or `count`: name one instance"
                    ),
                    format!("write `to = {block}[\"KEY\"]` (or `[INDEX]` with `count`)"),
                )),
                (false, true) => Some((
                    format!(
                        "`import` names an instance of `{block}`, which has no `for_each` or `count`"
                    ),
                    format!("write `to = {block}`"),
                )),
                _ => None,
            };
            if let Some((message, hint)) = problem {
                diags.push(
                    Diagnostic::error(message)
                        .at_span(&self.sources, import.span.as_ref())
                        .with_hint(hint),
                );
            }
        }
    }

    /// Once `for_each` and `count` are expanded: an `import` block naming an instance must name
    /// one that exists.
    pub fn check_import_instances(&self) -> Result<(), Diagnostics> {
        let mut diags = Diagnostics::default();
        for import in self.imports.iter().filter(|i| i.to.key.is_some()) {
            if self.resources.contains_key(&import.to) {
                continue;
            }
            let block = import.to.block();
            let keys: Vec<String> = self
                .instances_of(&block)
                .unwrap_or_default()
                .iter()
                .map(ToString::to_string)
                .collect();
            let hint = if keys.is_empty() {
                format!("`{block}` has no instances")
            } else {
                format!("its instances are {}", keys.join(", "))
            };
            diags.push(
                Diagnostic::error(format!(
                    "`import` names `{}`, which is not an instance of `{block}`",
                    import.to
                ))
                .at_span(&self.sources, import.span.as_ref())
                .with_hint(hint),
            );
        }
        diags.into_result().map(drop)
    }

    fn undeclared_import(&self, import: &ImportBlock) -> Diagnostic {
        let names: Vec<String> = self.resources.keys().map(ToString::to_string).collect();
        let d = Diagnostic::error(format!(
            "`import` names `{}`, which is not declared",
            import.to
        ))
        .at_span(&self.sources, import.span.as_ref());
        let to = import.to.block().to_string();
        match did_you_mean(&to, names.iter().map(String::as_str)) {
            Some(s) => d.with_hint(format!("did you mean `{s}`?")),
            None => d.with_hint(format!(
                "add a `resource \"{}\" \"{}\"` block for the object to be imported into",
                import.to.type_name, import.to.name
            )),
        }
    }

    /// The id an `import` block gives `addr`, if one does.
    pub fn import_for(&self, addr: &ResourceAddr) -> Option<&ImportBlock> {
        self.imports.iter().find(|i| &i.to == addr)
    }
}

/// `to`: `TYPE.NAME`, or an instance `TYPE.NAME["KEY"]` / `TYPE.NAME[INDEX]`.
fn import_target(expr: &Expression) -> Option<ResourceAddr> {
    if let Some(addr) = traversal_addr(expr) {
        return Some(addr);
    }
    match expr {
        Expression::Traversal(_) => expr.to_string().trim().parse().ok(),
        _ => None,
    }
}
