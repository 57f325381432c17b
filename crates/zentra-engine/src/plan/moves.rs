//! `moved` blocks: state entries taken to a new address (a renamed block, a block given
//! `for_each` or `count`, a renamed key) before planning, so that the objects are neither
//! deleted nor created again; applying records the new addresses. Checked as Terraform does:
//! same type on both sides, no address moved twice or to twice, no cycle, and nothing moved
//! away from an address the configuration still declares.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::addr::ResourceAddr;
use crate::config::{Config, MovedBlock};
use crate::diag::{Diagnostic, Diagnostics};
use crate::state::StateFile;

/// One state entry that moves to a new address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Move {
    pub from: ResourceAddr,
    pub to: ResourceAddr,
}

/// Checks the `moved` blocks of `config` against each other and the configuration.
pub fn check(config: &Config) -> Result<(), Diagnostics> {
    let mut diags = Diagnostics::default();
    let at = |m: &MovedBlock, summary: String, detail: String| {
        Diagnostic::error(summary)
            .at_span(&config.sources, m.span.as_ref())
            .with_detail(detail)
    };
    for (i, m) in config.moved.iter().enumerate() {
        if m.from.mode != m.to.mode || m.from.type_name != m.to.type_name {
            diags.push(
                at(
                    m,
                    "Resource type mismatch".into(),
                    format!(
                        "This statement declares a move from {} to {}, which is a resource of a \
                         different type.",
                        m.from, m.to
                    ),
                )
                .with_hint("an object keeps its type: create the new one and remove the old block"),
            );
            continue;
        }
        if m.from == m.to {
            diags.push(at(
                m,
                "Redundant move statement".into(),
                format!("This statement declares a move from {} to itself.", m.from),
            ));
            continue;
        }
        let still_declared = if m.from.key.is_some() {
            config.resources.contains_key(&m.from)
        } else {
            config.resources.contains_key(&m.from)
                || (config.expansions.contains_key(&m.from) && m.to.key.is_none())
        };
        if still_declared {
            diags.push(
                at(
                    m,
                    "Moved object still exists".into(),
                    format!(
                        "This statement declares a move from {}, but that resource is still \
                         declared in configuration.",
                        m.from
                    ),
                )
                .with_hint(
                    "rename or remove the old block: a `moved` block says where its objects went",
                ),
            );
        }
        for earlier in &config.moved[..i] {
            let same = if earlier.from == m.from {
                Some(("from", &m.from))
            } else if earlier.to == m.to {
                Some(("to", &m.to))
            } else {
                None
            };
            if let Some((side, addr)) = same {
                let first = earlier
                    .span
                    .as_ref()
                    .map(|s| config.sources.locate(s))
                    .map(|l| format!(" (the other is at {}:{}:{})", l.file, l.line, l.column))
                    .unwrap_or_default();
                diags.push(
                    at(
                        m,
                        "Ambiguous move statements".into(),
                        format!(
                            "A statement at an earlier position already declares a move \
                             {side} {addr}{first}."
                        ),
                    )
                    .with_hint("keep one of them"),
                );
            }
        }
    }
    diags.into_result()?;
    // A chain (a to b, b to c) is followed; a cycle never ends.
    for m in &config.moved {
        let mut at_addr = m.to.clone();
        for _ in 0..=config.moved.len() {
            match step(&config.moved, &at_addr) {
                Some(next) if next == m.from || next.block() == m.from => {
                    return Err(Diagnostic::error("Cyclic dependency in move statements")
                        .at_span(&config.sources, m.span.as_ref())
                        .with_detail(format!(
                            "The move statements form a cycle through {}: each object would \
                             move forever.",
                            m.from
                        ))
                        .with_hint("remove the statement that moves an object back")
                        .into());
                }
                Some(next) => at_addr = next,
                None => break,
            }
        }
    }
    Ok(())
}

/// Where one `moved` block takes `addr`, if one does: an exact match, or every instance of a
/// block moved as a whole (keys kept).
fn step(moved: &[MovedBlock], addr: &ResourceAddr) -> Option<ResourceAddr> {
    moved.iter().find_map(|m| {
        if &m.from == addr {
            Some(m.to.clone())
        } else if m.from.key.is_none()
            && m.to.key.is_none()
            && addr.key.is_some()
            && m.from == addr.block()
        {
            Some(ResourceAddr {
                key: addr.key.clone(),
                ..m.to.clone()
            })
        } else {
            None
        }
    })
}

/// Moves the entries of `state` as the `moved` blocks say (chains followed), and returns what
/// moved. Refused when an entry would land on an address state already holds.
pub fn apply(config: &Config, state: &mut StateFile) -> Result<Vec<Move>, Diagnostics> {
    if config.moved.is_empty() {
        return Ok(Vec::new());
    }
    let mut moves: Vec<Move> = Vec::new();
    let addresses = state
        .resources
        .iter()
        .map(|r| &r.address)
        .chain(state.pending_creates.iter().map(|p| &p.address))
        .chain(state.deposed.iter().map(|d| &d.address));
    for address in addresses {
        let mut to = address.clone();
        for _ in 0..=config.moved.len() {
            match step(&config.moved, &to) {
                Some(next) => to = next,
                None => break,
            }
        }
        if &to != address && !moves.iter().any(|m| &m.from == address) {
            moves.push(Move {
                from: address.clone(),
                to,
            });
        }
    }
    let mut diags = Diagnostics::default();
    for m in &moves {
        if state.resource(&m.to).is_some() && !moves.iter().any(|other| other.from == m.to) {
            let block = config
                .moved
                .iter()
                .find(|b| b.from == m.from || b.from == m.from.block());
            diags.push(
                Diagnostic::error(format!(
                    "cannot move {} to {}: state already records an object at {}",
                    m.from, m.to, m.to
                ))
                .at_span(&config.sources, block.and_then(|b| b.span.as_ref()))
                .with_hint(format!(
                    "one of the two objects must go: remove the `moved` block, or forget the \
                     object at {} first",
                    m.to
                )),
            );
        }
    }
    diags.into_result()?;
    rename(state, &moves);
    Ok(moves)
}

/// Renames the entries of `state` (and the creates it waits to hear about) as `moves` say.
pub fn rename(state: &mut StateFile, moves: &[Move]) {
    let target = |addr: &ResourceAddr| moves.iter().find(|m| &m.from == addr).map(|m| &m.to);
    for entry in &mut state.resources {
        if let Some(to) = target(&entry.address) {
            entry.address = to.clone();
        }
        for dep in &mut entry.dependencies {
            if let Some(to) = target(dep) {
                *dep = to.clone();
            }
        }
    }
    for pending in &mut state.pending_creates {
        if let Some(to) = target(&pending.address) {
            pending.address = to.clone();
        }
    }
    for deposed in &mut state.deposed {
        if let Some(to) = target(&deposed.address) {
            deposed.address = to.clone();
        }
        for dep in &mut deposed.dependencies {
            if let Some(to) = target(dep) {
                *dep = to.clone();
            }
        }
    }
}
