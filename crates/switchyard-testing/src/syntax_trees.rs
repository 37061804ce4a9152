//! Proptest generators of valid syntax trees (spans all zero), and of rule
//! files with comments and blank lines sprinkled in.
//!
//! The trees cover every statement kind, condition atom, target shape,
//! option, requirement and JSON value. Names are valid identifiers that are
//! not keywords (with `-` and `.` where the language allows them), integers
//! span all of `i64`, floats are finite (including `-0.0`, subnormals and
//! huge exponents), strings hold escapes, control characters and
//! non-ASCII text, regexes hold escaped `/`.
//!
//! Conditions are generated *raw*: an `or` may sit directly inside an
//! `and`, `or` or `not` without a `Paren` node, as a hand-built tree might.
//! The printer adds the parentheses the text needs, so the tree that comes
//! back from parsing has a `Paren` there: [`canonical`] inserts those
//! `Paren` nodes, and the round-trip property compares against it.

use proptest::prelude::*;
use switchyard_syntax::ast::*;
use switchyard_syntax::{FileId, Span, Spanned, KEYWORDS};

fn sp<T>(node: T) -> Spanned<T> {
    Spanned::new(node, Span::default())
}

fn not_keyword(s: &str) -> bool {
    !KEYWORDS.contains(&s)
}

/// A field or `let` name: `[A-Za-z_][A-Za-z0-9_]*`, not a keyword. Some
/// are chosen to look like keywords or the contextual words `tools`,
/// `fits`, `cost`, `bool`, ...
pub fn ident() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "tier", "task", "budget", "user", "prompt", "x", "_", "_1", "bool", "int", "float",
            "string", "tools", "vision", "json", "fits", "cost", "notx", "in2", "and_", "orr",
            "hours", "model_", "rule1", "whenever", "null", "if", "A", "Z9_",
        ])
        .prop_map(String::from),
        2 => "[A-Za-z_][A-Za-z0-9_]{0,10}".prop_filter("keyword", |s| not_keyword(s)),
    ]
}

/// A model, target, rule or test name: may also hold `-` and `.`.
pub fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => prop::sample::select(vec![
            "gpt-4o", "llama-8b", "gemini-2.0-flash", "a.b", "a-", "x.", "rule-1", "model.x",
            "when-x", "test_", "split-by", "context-", "a..b", "_.-",
        ])
        .prop_map(String::from),
        2 => ident(),
        2 => "[A-Za-z_][A-Za-z0-9_.-]{0,10}".prop_filter("keyword", |s| not_keyword(s)),
    ]
}

fn ident_s() -> impl Strategy<Value = Ident> {
    ident().prop_map(sp)
}

fn name_s() -> impl Strategy<Value = Ident> {
    name().prop_map(sp)
}

/// Any text: plain words, characters that need escapes, non-ASCII.
pub fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => "[a-z/:. -]{0,12}",
        1 => prop::sample::select(vec![
            "", "\"", "\\", "\n\r\t", "\u{0}\u{1f}\u{7f}", "\u{8}\u{c}", "é", "🚀", "\u{2028}",
            "#not a comment", "/", "a\\/b", "->", "rule r: otherwise -> m",
        ])
        .prop_map(String::from),
        2 => prop::collection::vec(any::<char>(), 0..8).prop_map(String::from_iter),
    ]
}

fn text_s() -> impl Strategy<Value = Spanned<String>> {
    text().prop_map(sp)
}

/// An integer literal: small ones, the ends of `i64` and anything between.
pub fn int() -> impl Strategy<Value = i64> {
    prop_oneof![
        3 => -1000i64..1000,
        1 => Just(i64::MIN),
        1 => Just(i64::MAX),
        1 => any::<i64>(),
    ]
}

/// A finite float literal: `-0.0`, subnormals, huge exponents and the rest.
pub fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        2 => (-1000i32..1000).prop_map(|i| f64::from(i) / 8.0),
        1 => prop::sample::select(vec![
            0.0, -0.0, 0.1, 1e-3, 1e16, 1e300, -1e-300, 5e-324, f64::MAX, f64::MIN,
            f64::MIN_POSITIVE, 1.0 / 3.0,
        ]),
        2 => any::<f64>().prop_filter("finite", |f| f.is_finite()),
    ]
}

/// An integer or float literal.
pub fn number() -> impl Strategy<Value = Number> {
    prop_oneof![int().prop_map(Number::Int), float().prop_map(Number::Float)]
}

/// A literal of any type.
pub fn literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        text().prop_map(Literal::String),
        number().prop_map(Literal::Number),
        any::<bool>().prop_map(Literal::Bool),
    ]
}

/// A regex body as written: any characters but `/`, `\` and line breaks,
/// or `\` and any character but a line break (so `\/` is there).
pub fn regex() -> impl Strategy<Value = RegexLit> {
    let piece = prop_oneof![
        4 => any::<char>()
            .prop_filter("delimiter", |c| !matches!(c, '/' | '\\' | '\n'))
            .prop_map(String::from),
        1 => Just("\\/".to_string()),
        1 => any::<char>()
            .prop_filter("line break", |c| *c != '\n')
            .prop_map(|c| format!("\\{c}")),
        1 => prop::sample::select(vec!["a|b", ".*", "```", "#", " ", "\"", "[/]"])
            .prop_map(|s| s.replace('/', "\\/")),
    ];
    (
        prop::collection::vec(piece, 0..6).prop_map(|v| v.concat()),
        "[imsx]{0,3}|[a-zA-Z]{0,2}",
    )
        .prop_map(|(source, flags)| RegexLit { source, flags })
}

/// The left side of a comparison: a field or a built-in.
pub fn subject() -> impl Strategy<Value = Subject> {
    prop_oneof![
        4 => ident_s().prop_map(Subject::Field),
        1 => ident_s().prop_map(Subject::Words),
        1 => ident_s().prop_map(Subject::Len),
        1 => Just(Subject::Hour),
        1 => Just(Subject::Weekday),
    ]
}

/// The right side of a comparison: a literal or a field.
pub fn operand() -> impl Strategy<Value = Operand> {
    prop_oneof![
        3 => literal().prop_map(Operand::Literal),
        1 => subject().prop_map(Operand::Subject),
    ]
}

fn cmp_op() -> impl Strategy<Value = CmpOp> {
    prop::sample::select(CmpOp::ALL.to_vec())
}

fn str_op() -> impl Strategy<Value = StrOp> {
    prop::sample::select(vec![StrOp::Contains, StrOp::StartsWith, StrOp::EndsWith])
}

/// An atom of a condition.
pub fn atom() -> impl Strategy<Value = Expr> {
    prop_oneof![
        any::<bool>().prop_map(Expr::Bool),
        ident_s().prop_map(Expr::Name),
        ident_s().prop_map(Expr::Has),
        (subject(), cmp_op(), operand()).prop_map(|(lhs, op, rhs)| Expr::Compare {
            lhs: sp(lhs),
            op: sp(op),
            rhs: sp(rhs),
        }),
        (
            subject(),
            any::<bool>(),
            prop::collection::vec(literal().prop_map(sp), 0..4)
        )
            .prop_map(|(lhs, negated, values)| Expr::InList {
                lhs: sp(lhs),
                negated,
                values: sp(values),
            }),
        (subject(), any::<bool>(), number(), number(), any::<bool>()).prop_map(
            |(lhs, negated, lo, hi, inclusive)| Expr::InRange {
                lhs: sp(lhs),
                negated,
                lo: sp(lo),
                hi: sp(hi),
                inclusive,
            }
        ),
        (subject(), regex()).prop_map(|(lhs, regex)| Expr::Matches {
            lhs: sp(lhs),
            regex: sp(regex),
        }),
        (subject(), str_op(), text()).prop_map(|(lhs, op, needle)| Expr::StrTest {
            lhs: sp(lhs),
            op: sp(op),
            needle: sp(needle),
        }),
    ]
}

/// A raw condition (see the module documentation).
pub fn expr() -> impl Strategy<Value = Spanned<Expr>> {
    atom().prop_map(sp).prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4).prop_map(|v| sp(Expr::Or(v))),
            prop::collection::vec(inner.clone(), 2..4).prop_map(|v| sp(Expr::And(v))),
            inner.clone().prop_map(|e| sp(Expr::Not(Box::new(e)))),
            inner.prop_map(|e| sp(Expr::Paren(Box::new(e)))),
        ]
    })
}

#[derive(Clone, Copy, PartialEq)]
enum Ctx {
    Top,
    Or,
    And,
    Not,
}

/// The tree that parsing the printed `e` gives: `Paren` nodes where the
/// text needs parentheses the raw tree lacks.
pub fn canonical(e: &Spanned<Expr>) -> Spanned<Expr> {
    canon(e, Ctx::Top)
}

fn canon(e: &Spanned<Expr>, ctx: Ctx) -> Spanned<Expr> {
    let node = match &e.node {
        Expr::Or(items) => Expr::Or(items.iter().map(|i| canon(i, Ctx::Or)).collect()),
        Expr::And(items) => Expr::And(items.iter().map(|i| canon(i, Ctx::And)).collect()),
        Expr::Not(inner) => Expr::Not(Box::new(canon(inner, Ctx::Not))),
        Expr::Paren(inner) => Expr::Paren(Box::new(canon(inner, Ctx::Top))),
        other => other.clone(),
    };
    let wrap = matches!(
        (&node, ctx),
        (Expr::Or(_), Ctx::Or | Ctx::And | Ctx::Not) | (Expr::And(_), Ctx::And | Ctx::Not)
    );
    if wrap {
        sp(Expr::Paren(Box::new(sp(node))))
    } else {
        sp(node)
    }
}

/// A model reference: an alias (maybe with a variant) or a quoted id.
pub fn model_ref() -> impl Strategy<Value = Spanned<ModelRef>> {
    let variant = prop_oneof![
        prop::sample::select(vec![
            "floor", "nitro", "free", "online", "thinking", "extended", "exacto",
        ])
        .prop_map(String::from),
        "[A-Za-z][A-Za-z0-9_]{0,6}".prop_filter("keyword", |s| not_keyword(s)),
    ];
    prop_oneof![
        3 => (name(), prop::option::of(variant))
            .prop_map(|(name, variant)| sp(ModelRef::Name { name, variant })),
        1 => text().prop_map(|id| sp(ModelRef::Id(id))),
    ]
}

fn model_list() -> impl Strategy<Value = Spanned<Vec<Spanned<ModelRef>>>> {
    prop::collection::vec(model_ref(), 0..4).prop_map(sp)
}

/// An object key: bare-looking or anything.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => prop::sample::select(vec![
            "sort", "order", "allow_fallbacks", "max_price", "true", "model", "version", "rule",
            "x-y", "_",
        ])
        .prop_map(String::from),
        1 => "[A-Za-z_][A-Za-z0-9_-]{0,8}",
        1 => text(),
    ]
}

/// A JSON-like value.
pub fn value() -> impl Strategy<Value = Spanned<Value>> {
    let leaf = prop_oneof![
        text().prop_map(Value::String),
        number().prop_map(Value::Number),
        any::<bool>().prop_map(Value::Bool),
    ]
    .prop_map(sp);
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| sp(Value::Array(v))),
            prop::collection::vec((key().prop_map(sp), inner), 0..4)
                .prop_map(|v| sp(Value::Object(v))),
        ]
    })
}

fn entries() -> impl Strategy<Value = Spanned<Entries>> {
    prop::collection::vec((key().prop_map(sp), value()), 0..4).prop_map(sp)
}

/// A requirement of a `require [...]` option (`tools`, a maximum, ...).
pub fn requirement() -> impl Strategy<Value = Spanned<Requirement>> {
    let max = prop_oneof![
        number().prop_map(|n| Operand::Literal(Literal::Number(n))),
        ident_s().prop_map(|f| Operand::Subject(Subject::Field(f))),
    ];
    prop_oneof![
        Just(Requirement::Tools),
        Just(Requirement::Vision),
        Just(Requirement::Json),
        ident_s().prop_map(Requirement::Fits),
        (ident_s(), max).prop_map(|(tokens, max)| Requirement::CostAtMost {
            tokens,
            max: sp(max),
        }),
    ]
    .prop_map(sp)
}

/// A target option: `max_tokens`, `provider`, `transforms`, `params`,
/// `tag` or `require`.
pub fn option() -> impl Strategy<Value = Spanned<TargetOption>> {
    prop_oneof![
        int().prop_map(|n| TargetOption::MaxTokens(sp(n))),
        entries().prop_map(TargetOption::Provider),
        prop::collection::vec(text_s(), 0..3).prop_map(|v| TargetOption::Transforms(sp(v))),
        entries().prop_map(TargetOption::Params),
        text_s().prop_map(TargetOption::Tag),
        prop::collection::vec(requirement(), 1..4).prop_map(TargetOption::Require),
    ]
    .prop_map(sp)
}

fn options() -> impl Strategy<Value = Vec<Spanned<TargetOption>>> {
    prop::collection::vec(option(), 0..4)
}

/// A chain or `cheapest` target (what a split arm may hold).
pub fn simple_target() -> impl Strategy<Value = Spanned<Target>> {
    prop_oneof![
        3 => (model_ref(), prop::option::of(model_list()), options()).prop_map(
            |(primary, fallbacks, options)| {
                sp(Target::Chain(Chain {
                    primary,
                    fallbacks,
                    options,
                }))
            }
        ),
        1 => (model_list(), options()).prop_map(|(candidates, options)| sp(Target::Cheapest {
            candidates,
            options,
        })),
    ]
}

/// Weights in basis points: mostly up to 100%, sometimes any `u32`.
fn weight() -> impl Strategy<Value = u32> {
    prop_oneof![
        4 => 0u32..=10_000,
        1 => prop::sample::select(vec![1, 10, 1250, 3333, 9000, 10_000]),
        1 => any::<u32>(),
    ]
}

/// A rule's target: a simple one, or a split of up to three arms.
pub fn target() -> impl Strategy<Value = Spanned<Target>> {
    let arm = (prop::option::of(name_s()), weight(), simple_target()).prop_map(
        |(name, weight, target)| {
            sp(Arm {
                name,
                weight: sp(weight),
                target,
            })
        },
    );
    prop_oneof![
        3 => simple_target(),
        1 => (ident_s(), prop::collection::vec(arm, 1..4))
            .prop_map(|(key, arms)| sp(Target::Split { key, arms })),
    ]
}

fn type_expr() -> impl Strategy<Value = TypeExpr> {
    prop_oneof![
        Just(TypeExpr::Bool),
        Just(TypeExpr::Int),
        Just(TypeExpr::Float),
        Just(TypeExpr::String),
        prop::collection::vec(text_s(), 1..4).prop_map(TypeExpr::Enum),
    ]
}

fn field() -> impl Strategy<Value = Spanned<FieldDecl>> {
    (ident_s(), type_expr(), prop::option::of(literal())).prop_map(|(name, ty, default)| {
        sp(FieldDecl {
            name,
            ty: sp(ty),
            default: default.map(sp),
        })
    })
}

/// A statement; conditions raw (see [`canonical`]).
pub fn item() -> impl Strategy<Value = Spanned<Item>> {
    let guard = prop_oneof![
        3 => expr().prop_map(Guard::When),
        1 => Just(Guard::Otherwise(Span::default())),
    ];
    let rule = (
        prop::option::of(name_s()),
        prop::option::of(int().prop_map(sp)),
        guard,
        target(),
    )
        .prop_map(|(name, priority, guard, target)| {
            Item::Rule(RuleDecl {
                name,
                priority,
                guard,
                target,
            })
        });
    let test = (
        name_s(),
        prop::collection::vec((ident_s(), literal().prop_map(sp)), 0..4),
        name_s(),
        prop::option::of(name_s()),
        prop::option::of(text_s()),
        prop::option::of(prop::collection::vec(text_s(), 0..3)),
    )
        .prop_map(|(name, context, rule, arm, model, fallbacks)| {
            Item::Test(TestDecl {
                name,
                context: sp(context),
                rule,
                arm,
                model,
                fallbacks: fallbacks.map(sp),
            })
        });
    prop_oneof![
        1 => text_s().prop_map(Item::Version),
        1 => text_s().prop_map(Item::TimeZone),
        2 => prop::collection::vec(field(), 0..5).prop_map(Item::Context),
        2 => (name_s(), text_s()).prop_map(|(name, id)| Item::Model(ModelDecl { name, id })),
        2 => (name_s(), target()).prop_map(|(name, target)| Item::Target(TargetDecl {
            name,
            target,
        })),
        2 => (ident_s(), expr()).prop_map(|(name, cond)| Item::Let(LetDecl { name, cond })),
        1 => prop::collection::vec(option(), 1..4).prop_map(Item::Defaults),
        5 => rule,
        2 => test,
    ]
    .prop_map(sp)
}

/// A file of 1 to 7 statements, without comments.
pub fn rule_file() -> impl Strategy<Value = RuleFile> {
    prop::collection::vec(item(), 1..8).prop_map(|items| RuleFile {
        file: FileId(0),
        items,
        comments: Vec::new(),
    })
}

/// The file parsing the printed `file` gives back (see [`canonical`]).
pub fn canonical_file(file: &RuleFile) -> RuleFile {
    let mut out = file.clone();
    for item in &mut out.items {
        match &mut item.node {
            Item::Let(l) => l.cond = canonical(&l.cond),
            Item::Rule(RuleDecl {
                guard: Guard::When(cond),
                ..
            }) => *cond = canonical(cond),
            _ => {}
        }
    }
    out
}

/// Comment text: anything but a line break.
pub fn comment_text() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => "[ a-z#/\"{}()-]{0,12}",
        1 => prop::collection::vec(
            any::<char>().prop_filter("line break", |c| *c != '\n'),
            0..8
        )
        .prop_map(String::from_iter),
    ]
}

/// Byte offsets in `text` where a comment may go: spaces and line ends
/// outside strings and regexes (a `/` is only ever a regex or in a string
/// in printed text).
pub fn gaps(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '"' | '/' => quote = Some(c),
                ' ' | '\n' => out.push(i),
                _ => {}
            },
        }
    }
    out
}

/// Inserts comments and blank lines at gaps of `text`: `picks` are
/// (position, comment text or blank line) pairs, positions taken modulo the
/// number of gaps.
pub fn sprinkle(text: &str, picks: &[(usize, Option<String>)]) -> String {
    let picks: Vec<(usize, String)> = picks
        .iter()
        .map(|(at, what)| {
            let s = match what {
                Some(c) => format!(" #{c}\n"),
                None => "\n\n".to_string(),
            };
            (*at, s)
        })
        .collect();
    insert_at_gaps(text, &picks)
}

/// Inserts text at gaps of `text`: `picks` are (position, text) pairs,
/// positions taken modulo the number of gaps.
pub fn insert_at_gaps(text: &str, picks: &[(usize, String)]) -> String {
    let gaps = gaps(text);
    if gaps.is_empty() {
        return text.to_string();
    }
    let mut inserts: Vec<(usize, &str)> = picks
        .iter()
        .map(|(at, s)| (gaps[at % gaps.len()], s.as_str()))
        .collect();
    inserts.sort_by_key(|(at, _)| *at);
    let mut out = String::with_capacity(text.len() + inserts.len() * 16);
    let mut last = 0;
    for (at, s) in inserts {
        out.push_str(&text[last..at]);
        out.push_str(s);
        last = at;
    }
    out.push_str(&text[last..]);
    out
}
