//! The recursive descent over the tokens, one function per rule of the
//! `cel` crate's grammar (`CEL.g4`), building the tree its visitor builds:
//! the same operator names, `&&` and `||` chains as balanced trees, the
//! other binary operators nested to the left, an even run of `!` or `-`
//! dropped, `-` before a number read as a negative literal, and each node
//! placed at the token the `cel` visitor places it at. Macro calls are
//! expanded where the `cel` parser would expand them.

use cel::common::ast::{
    CallExpr, EntryExpr, Expr, IdedEntryExpr, IdedExpr, ListExpr, LiteralValue, MapEntryExpr,
    MapExpr, SelectExpr, SourceInfo, StructExpr, StructFieldExpr,
};

use super::lexer::{Tok, Token};
use super::macros as standard;
use crate::expr::macros::{self as ours, Builder};

/// The deepest nesting of expressions accepted (parentheses, arguments,
/// list and map entries, indexes, the else branch of `?:`): below the
/// `cel` parser's recursion limit of 96, so that past it the `cel` parser
/// reports its own error.
const MAX_DEPTH: u32 = 80;

/// The most operators or member suffixes in one chain (`a + b + …`,
/// `a.b.c…`): a bound on the depth of the tree built.
const MAX_CHAIN: usize = 1000;

/// A parse in progress: the tokens, where it is, the ids given and their
/// offsets.
pub(super) struct Parser {
    toks: Vec<Token>,
    pos: usize,
    next_id: u64,
    pub(super) info: SourceInfo,
    depth: u32,
}

/// The offsets of the token a node is placed at.
#[derive(Clone, Copy)]
struct At(u32, u32);

fn at(t: &Token) -> At {
    At(t.start, t.stop)
}

fn call(func_name: &str, target: Option<IdedExpr>, args: Vec<IdedExpr>) -> Expr {
    Expr::Call(CallExpr {
        func_name: func_name.to_string(),
        target: target.map(Box::new),
        args,
    })
}

/// `cel`'s reserved words, refused as identifiers and global functions.
fn is_reserved(name: &str) -> bool {
    matches!(
        name,
        "as" | "break"
            | "const"
            | "continue"
            | "else"
            | "for"
            | "function"
            | "if"
            | "import"
            | "let"
            | "loop"
            | "package"
            | "namespace"
            | "return"
            | "var"
            | "void"
            | "while"
    )
}

/// The builder a macro expansion uses: nodes at the call's `(`.
struct Expansion<'p> {
    parser: &'p mut Parser,
    at: At,
}

impl Builder for Expansion<'_> {
    type Error = ();
    fn next_expr(&mut self, expr: Expr) -> IdedExpr {
        self.parser.node(self.at, expr)
    }
    fn error(&self, _expr_id: u64, _msg: &str) {}
}

impl Parser {
    pub(super) fn new(toks: Vec<Token>, source: &str) -> Self {
        let mut info = SourceInfo::default();
        info.source = source.to_string();
        Parser {
            toks,
            pos: 0,
            next_id: 1,
            info,
            depth: 0,
        }
    }

    /// The whole input as one expression.
    pub(super) fn start(&mut self) -> Option<IdedExpr> {
        let e = self.expr()?;
        (self.pos == self.toks.len()).then_some(e)
    }

    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.tok)
    }

    fn peek_at(&self, n: usize) -> Option<&Tok> {
        self.toks.get(self.pos + n).map(|t| &t.tok)
    }

    fn is(&self, p: &str) -> bool {
        matches!(self.peek(), Some(Tok::Punct(q)) if *q == p)
    }

    fn is_at(&self, n: usize, p: &str) -> bool {
        matches!(self.peek_at(n), Some(Tok::Punct(q)) if *q == p)
    }

    /// Takes the next token (out of the list: the parse never looks back).
    fn bump(&mut self) -> Option<Token> {
        let slot = self.toks.get_mut(self.pos)?;
        let (start, stop) = (slot.start, slot.stop);
        let tok = std::mem::replace(&mut slot.tok, Tok::Punct(""));
        self.pos += 1;
        Some(Token { tok, start, stop })
    }

    /// Takes the punctuation `p`, or fails.
    fn expect(&mut self, p: &str) -> Option<At> {
        if !self.is(p) {
            return None;
        }
        self.bump().map(|t| at(&t))
    }

    fn id(&mut self, at: At) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.info.add_offset(id, at.0, at.1);
        id
    }

    fn node(&mut self, at: At, expr: Expr) -> IdedExpr {
        IdedExpr {
            id: self.id(at),
            expr,
        }
    }

    /// `expr: conditionalOr ('?' conditionalOr ':' expr)?`
    fn expr(&mut self) -> Option<IdedExpr> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        let cond = self.or()?;
        let e = if self.is("?") {
            let op = self.expect("?")?;
            let yes = self.or()?;
            self.expect(":")?;
            let no = self.expr()?;
            self.node(op, call("_?_:_", None, vec![cond, yes, no]))
        } else {
            cond
        };
        self.depth -= 1;
        Some(e)
    }

    /// `a || b || …` (or `&&`): the terms, then a balanced tree of them.
    fn logic(
        &mut self,
        op: &str,
        func: &str,
        term: fn(&mut Self) -> Option<IdedExpr>,
    ) -> Option<IdedExpr> {
        let first = term(self)?;
        if !self.is(op) {
            return Some(first);
        }
        let mut terms = vec![first];
        let mut ops = Vec::new();
        while self.is(op) {
            if ops.len() > MAX_CHAIN {
                return None;
            }
            let at = self.expect(op)?;
            terms.push(term(self)?);
            ops.push(at);
        }
        let mut terms: Vec<Option<IdedExpr>> = terms.into_iter().map(Some).collect();
        self.balanced(func, &mut terms, &ops, 0, ops.len().checked_sub(1)?)
    }

    /// `cel`'s `LogicManager::balanced_tree`.
    fn balanced(
        &mut self,
        func: &str,
        terms: &mut [Option<IdedExpr>],
        ops: &[At],
        lo: usize,
        hi: usize,
    ) -> Option<IdedExpr> {
        let mid = (lo + hi).div_ceil(2);
        let left = if mid == lo {
            terms.get_mut(mid)?.take()?
        } else {
            self.balanced(func, terms, ops, lo, mid - 1)?
        };
        let right = if mid == hi {
            terms.get_mut(mid + 1)?.take()?
        } else {
            self.balanced(func, terms, ops, mid + 1, hi)?
        };
        let at = *ops.get(mid)?;
        Some(self.node(at, call(func, None, vec![left, right])))
    }

    fn or(&mut self) -> Option<IdedExpr> {
        self.logic("||", "_||_", Self::and)
    }

    fn and(&mut self) -> Option<IdedExpr> {
        self.logic("&&", "_&&_", Self::relation)
    }

    /// Left-nested binary operators of one precedence over `operand`.
    fn binary(
        &mut self,
        name: fn(&Tok) -> Option<&'static str>,
        operand: fn(&mut Self) -> Option<IdedExpr>,
    ) -> Option<IdedExpr> {
        let mut lhs = operand(self)?;
        let mut n = 0;
        while let Some(func) = self.peek().and_then(name) {
            n += 1;
            if n > MAX_CHAIN {
                return None;
            }
            let op = self.bump().map(|t| at(&t))?;
            let rhs = operand(self)?;
            lhs = self.node(op, call(func, None, vec![lhs, rhs]));
        }
        Some(lhs)
    }

    fn relation(&mut self) -> Option<IdedExpr> {
        self.binary(
            |t| match t {
                Tok::Punct("<") => Some("_<_"),
                Tok::Punct("<=") => Some("_<=_"),
                Tok::Punct(">=") => Some("_>=_"),
                Tok::Punct(">") => Some("_>_"),
                Tok::Punct("==") => Some("_==_"),
                Tok::Punct("!=") => Some("_!=_"),
                Tok::In => Some("@in"),
                _ => None,
            },
            Self::additive,
        )
    }

    fn additive(&mut self) -> Option<IdedExpr> {
        self.binary(
            |t| match t {
                Tok::Punct("+") => Some("_+_"),
                Tok::Punct("-") => Some("_-_"),
                _ => None,
            },
            Self::multiplicative,
        )
    }

    fn multiplicative(&mut self) -> Option<IdedExpr> {
        self.binary(
            |t| match t {
                Tok::Punct("*") => Some("_*_"),
                Tok::Punct("/") => Some("_/_"),
                Tok::Punct("%") => Some("_%_"),
                _ => None,
            },
            Self::unary,
        )
    }

    /// `unary: member | '!'+ member | '-'+ member`; `-` before a number is
    /// the number's sign (the first alternative wins).
    fn unary(&mut self) -> Option<IdedExpr> {
        let (op, func) = if self.is("!") {
            ("!", "!_")
        } else if self.is("-") && !matches!(self.peek_at(1), Some(Tok::Int(_) | Tok::Float(_))) {
            ("-", "-_")
        } else {
            return self.member();
        };
        let first = self.expect(op)?;
        let mut n = 1usize;
        while self.is(op) {
            self.bump()?;
            n += 1;
        }
        let operand = self.member()?;
        if n % 2 == 0 {
            return Some(operand);
        }
        Some(self.node(first, call(func, None, vec![operand])))
    }

    /// `member: primary ('.' name | '.' name '(' args ')' | '[' expr ']')*`
    fn member(&mut self) -> Option<IdedExpr> {
        let mut e = self.primary()?;
        let mut n = 0;
        loop {
            n += 1;
            if n > MAX_CHAIN {
                return None;
            }
            if self.is(".") {
                let dot = self.expect(".")?;
                if self.expect("?").is_some() {
                    let field = match self.bump()?.tok {
                        Tok::Ident(name) | Tok::EscIdent(name) => name,
                        _ => return None,
                    };
                    let field = self.node(dot, Expr::Literal(LiteralValue::String(field.into())));
                    e = self.node(dot, call("_?._", None, vec![e, field]));
                    continue;
                }
                match self.bump()?.tok {
                    Tok::Ident(name) if self.is("(") => {
                        let open = self.expect("(")?;
                        let args = self.args()?;
                        e = self.call_or_macro(open, &name, Some(e), args)?;
                    }
                    Tok::Ident(field) | Tok::EscIdent(field) => {
                        let select = Expr::Select(SelectExpr {
                            operand: Box::new(e),
                            field,
                            test: false,
                        });
                        e = self.node(dot, select);
                    }
                    _ => return None,
                }
            } else if self.is("[") {
                let open = self.expect("[")?;
                let func = if self.expect("?").is_some() {
                    "_[?_]"
                } else {
                    "_[_]"
                };
                let index = self.expr()?;
                self.expect("]")?;
                e = self.node(open, call(func, None, vec![e, index]));
            } else {
                return Some(e);
            }
        }
    }

    /// The arguments of a call, after its `(`, up to its `)`: no trailing
    /// comma.
    fn args(&mut self) -> Option<Vec<IdedExpr>> {
        let mut args = Vec::new();
        if self.expect(")").is_some() {
            return Some(args);
        }
        loop {
            args.push(self.expr()?);
            if self.expect(")").is_some() {
                return Some(args);
            }
            self.expect(",")?;
        }
    }

    /// Entries up to `close`, each read by `entry`, separated by commas, a
    /// trailing comma allowed, and a lone comma for none.
    fn entries<T>(
        &mut self,
        close: &str,
        entry: fn(&mut Self, bool) -> Option<T>,
    ) -> Option<Vec<T>> {
        let mut out = Vec::new();
        if self.is(",") && self.is_at(1, close) {
            self.bump()?;
        }
        loop {
            if self.expect(close).is_some() {
                return Some(out);
            }
            let optional = self.expect("?").is_some();
            out.push(entry(self, optional)?);
            if self.expect(close).is_some() {
                return Some(out);
            }
            self.expect(",")?;
            if self.is(",") {
                return None;
            }
        }
    }

    fn list_element(&mut self, optional: bool) -> Option<(IdedExpr, bool)> {
        Some((self.expr()?, optional))
    }

    fn map_entry(&mut self, optional: bool) -> Option<IdedEntryExpr> {
        let key = self.expr()?;
        let col = self.expect(":")?;
        let id = self.id(col);
        let value = self.expr()?;
        Some(IdedEntryExpr {
            id,
            expr: EntryExpr::MapEntry(MapEntryExpr {
                key,
                value,
                optional,
            }),
        })
    }

    fn field(&mut self, optional: bool) -> Option<IdedEntryExpr> {
        let field = match self.bump()?.tok {
            Tok::Ident(name) | Tok::EscIdent(name) => name,
            _ => return None,
        };
        let col = self.expect(":")?;
        let id = self.id(col);
        let value = self.expr()?;
        Some(IdedEntryExpr {
            id,
            expr: EntryExpr::StructField(StructFieldExpr {
                field,
                value,
                optional,
            }),
        })
    }

    fn primary(&mut self) -> Option<IdedExpr> {
        let dot = self.is(".") && matches!(self.peek_at(1), Some(Tok::Ident(_)));
        if dot || matches!(self.peek(), Some(Tok::Ident(_))) {
            return self.named(dot);
        }
        let sign = self.is("-");
        if sign {
            self.bump()?;
        }
        let t = self.bump()?;
        let place = at(&t);
        let lit = |v| Some(Expr::Literal(v));
        let expr = match t.tok {
            Tok::Int(digits) => {
                let (radix, digits) = match digits.strip_prefix("0x") {
                    Some(hex) => (16, hex),
                    None => (10, digits.as_str()),
                };
                let signed = if sign {
                    format!("-{digits}")
                } else {
                    digits.to_string()
                };
                lit(LiteralValue::Int(
                    i64::from_str_radix(&signed, radix).ok()?.into(),
                ))
            }
            Tok::Float(text) => {
                let signed = if sign { format!("-{text}") } else { text };
                let d = signed.parse::<f64>().ok().filter(|d| d.is_finite())?;
                lit(LiteralValue::Double(d.into()))
            }
            _ if sign => None,
            Tok::Uint(v) => lit(LiteralValue::UInt(v.into())),
            Tok::Str(s) => lit(LiteralValue::String(s.into())),
            Tok::Bytes(b) => lit(LiteralValue::Bytes(b.into())),
            Tok::True => lit(LiteralValue::Boolean(true.into())),
            Tok::False => lit(LiteralValue::Boolean(false.into())),
            Tok::Null => lit(LiteralValue::Null),
            Tok::Punct("(") => {
                let e = self.expr()?;
                self.expect(")")?;
                return Some(e);
            }
            Tok::Punct("[") => {
                let elements = self.entries("]", Self::list_element)?;
                let optional_indices = (0..elements.len())
                    .filter(|&i| elements.get(i).is_some_and(|(_, o)| *o))
                    .collect();
                let elements = elements.into_iter().map(|(e, _)| e).collect();
                Some(Expr::List(ListExpr::new_with_optionals(
                    elements,
                    optional_indices,
                )))
            }
            Tok::Punct("{") => {
                let entries = self.entries("}", Self::map_entry)?;
                Some(Expr::Map(MapExpr { entries }))
            }
            _ => None,
        }?;
        Some(self.node(place, expr))
    }

    /// An identifier, a global call or a message construction, after a
    /// leading dot when `dot`.
    fn named(&mut self, dot: bool) -> Option<IdedExpr> {
        if dot {
            self.bump()?;
        }
        let prefix = if dot { "." } else { "" };
        // A dotted name followed by `{` constructs a message.
        let mut k = 1;
        while self.is_at(k, ".") && matches!(self.peek_at(k + 1), Some(Tok::Ident(_))) {
            k += 2;
        }
        if self.is_at(k, "{") {
            let mut type_name = prefix.to_string();
            for j in 0..k {
                match self.bump()?.tok {
                    Tok::Ident(name) => type_name.push_str(&name),
                    Tok::Punct(".") if j % 2 == 1 => type_name.push('.'),
                    _ => return None,
                }
            }
            let open = self.expect("{")?;
            let entries = self.entries("}", Self::field)?;
            let expr = Expr::Struct(StructExpr { type_name, entries });
            return Some(self.node(open, expr));
        }
        let t = self.bump()?;
        let Tok::Ident(name) = t.tok else {
            return None;
        };
        if is_reserved(&name) {
            return None;
        }
        let name = format!("{prefix}{name}");
        if self.is("(") {
            let open = self.expect("(")?;
            let args = self.args()?;
            return self.call_or_macro(open, &name, None, args);
        }
        Some(self.node(At(t.start, t.stop), Expr::Ident(name)))
    }

    /// The call, or its expansion when a macro matches it; `None` when the
    /// macro refuses it (the `cel` parser reports the error).
    fn call_or_macro(
        &mut self,
        open: At,
        name: &str,
        mut target: Option<IdedExpr>,
        mut args: Vec<IdedExpr>,
    ) -> Option<IdedExpr> {
        let receiver = target.is_some();
        let mut b = Expansion {
            parser: self,
            at: open,
        };
        if let Some(kind) = standard::find(name, receiver, args.len()) {
            return standard::expand(kind, &mut b, &mut target, &mut args).ok();
        }
        if let Some(kind) = ours::find(name, receiver, args.len()) {
            return ours::expand(kind, &mut b, &mut target, &mut args).ok();
        }
        Some(self.node(open, call(name, target, args)))
    }
}
