//! The check that this parser agrees with the `cel` parser on one source:
//! when the `cel` parser accepts it, ours gives the same tree with the
//! same offsets node by node (ids aside); when it refuses it, ours gives
//! up too. For the differential tests, the proptest and the `cel_parse`
//! fuzz target (through `differential::parsers_agree`).

use cel::common::ast::{EntryExpr, Expr, IdedExpr, SourceInfo};

use crate::expr::ENV;

/// What the two parsers did with one source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Both parsed it into the same tree.
    BothParsed,
    /// Both refused it.
    BothRefused,
    /// The `cel` parser parsed it and ours left it to the `cel` parser.
    LeftToCel,
}

/// A node id replaced by its offsets, so that trees compare ids aside.
fn key(id: u64, info: &SourceInfo) -> u64 {
    info.offset_for(id).map_or(u64::MAX, |(start, stop)| {
        (u64::from(start) << 32) | u64::from(stop)
    })
}

/// `e` with every id (of nodes and of entries) replaced by its offsets.
fn by_offsets(e: &mut IdedExpr, info: &SourceInfo) {
    e.id = key(e.id, info);
    match &mut e.expr {
        Expr::Call(c) => {
            if let Some(t) = c.target.as_deref_mut() {
                by_offsets(t, info);
            }
            c.args.iter_mut().for_each(|a| by_offsets(a, info));
        }
        Expr::Comprehension(c) => {
            for e in [
                &mut c.iter_range,
                &mut c.accu_init,
                &mut c.loop_cond,
                &mut c.loop_step,
                &mut c.result,
            ] {
                by_offsets(e, info);
            }
        }
        Expr::List(l) => l.elements.iter_mut().for_each(|a| by_offsets(a, info)),
        Expr::Map(m) => m.entries.iter_mut().for_each(|entry| {
            entry.id = key(entry.id, info);
            if let EntryExpr::MapEntry(me) = &mut entry.expr {
                by_offsets(&mut me.key, info);
                by_offsets(&mut me.value, info);
            }
        }),
        Expr::Struct(s) => s.entries.iter_mut().for_each(|entry| {
            entry.id = key(entry.id, info);
            match &mut entry.expr {
                EntryExpr::StructField(f) => by_offsets(&mut f.value, info),
                EntryExpr::MapEntry(me) => {
                    by_offsets(&mut me.key, info);
                    by_offsets(&mut me.value, info);
                }
            }
        }),
        Expr::Select(s) => by_offsets(&mut s.operand, info),
        Expr::Ident(_) | Expr::Literal(_) | Expr::Unspecified => {}
    }
}

/// Whether `tree` has no node the `cel` parser leaves for an error.
fn no_placeholder(e: &IdedExpr) -> bool {
    !matches!(e.expr, Expr::Unspecified)
}

/// Whether `source` might be past what our parser takes on (its length,
/// its nesting, its chains): only then may it leave to the `cel` parser
/// what that one accepts.
fn beyond_limits(source: &str) -> bool {
    let nesting = source.bytes().filter(|b| b"([{?".contains(b)).count();
    source.len() > super::MAX_SOURCE
        || nesting >= 80
        || source.len() > 1000
        || source.contains('\0')
}

/// Compare the two parsers on `source`. `Err` describes a disagreement.
pub(crate) fn agree(source: &str) -> Result<Outcome, String> {
    let ours = super::parse(source);
    let theirs = ENV
        .parser()
        .enable_ident_escape_syntax(true)
        .parse_with_source_info(source);
    match (theirs, ours) {
        (Err(_), None) => Ok(Outcome::BothRefused),
        (Err(e), Some((tree, _))) => Err(format!(
            "`{source}`: the cel parser refuses it ({e}), ours gives {tree:?}"
        )),
        (Ok(_), None) if beyond_limits(source) => Ok(Outcome::LeftToCel),
        (Ok((tree, _)), None) => Err(format!(
            "`{source}`: the cel parser accepts it ({tree:?}), ours gives up"
        )),
        (Ok((mut want, want_info)), Some((mut got, got_info))) => {
            by_offsets(&mut want, &want_info);
            by_offsets(&mut got, &got_info);
            if want == got && no_placeholder(&got) {
                Ok(Outcome::BothParsed)
            } else {
                Err(format!(
                    "`{source}`: trees differ\n cel:  {want:?}\n ours: {got:?}"
                ))
            }
        }
    }
}
