//! Turns pest's pairs into the syntax tree. The only module that touches
//! `pest::iterators::Pair`.

use pest::iterators::Pair;
use pest::Parser;

use crate::ast::*;
use crate::error::{LimitKind, ParseError, ParseErrors};
use crate::grammar::{Rule, SwitchyardParser};
use crate::limits::Limits;
use crate::scan::{scan, Scan};
use crate::span::{FileId, Span, Spanned};

mod expected;

type Result<T> = std::result::Result<T, ParseError>;

/// Parses one file: scan, then each statement on its own.
pub(crate) fn parse_file(
    src: &str,
    file: FileId,
    limits: &Limits,
) -> std::result::Result<RuleFile, ParseErrors> {
    parse_scanned(src, file, limits, scan(src, file, limits))
}

/// Parses one scanned file. A file with more rules than the limit is not
/// parsed at all: the scan's errors are the answer, so the work a hostile
/// file can cause is one scan, however many rules it holds.
pub(crate) fn parse_scanned(
    src: &str,
    file: FileId,
    limits: &Limits,
    scanned: Scan,
) -> std::result::Result<RuleFile, ParseErrors> {
    let too_many_rules = scanned.too_many_rules();
    let mut errors = scanned.errors;
    let mut items = Vec::new();
    if scanned.statements.is_empty() && errors.is_empty() {
        errors.push(ParseError::Empty {
            span: Span::new(file, src.len(), src.len()),
        });
    }
    let comment_ends: Vec<usize> = scanned
        .comments
        .iter()
        .map(|c| c.span.end as usize)
        .collect();
    for st in scanned
        .statements
        .iter()
        .filter(|s| !s.poisoned && !too_many_rules)
    {
        let slice = src.get(st.start..st.end).unwrap_or("");
        let mut lower = Lower {
            file,
            base: st.start,
            slice,
            comments: &scanned.comments,
            comment_ends: &comment_ends,
            limits,
            depth: 0,
        };
        let parsed = SwitchyardParser::parse(Rule::statement, slice)
            .map_err(|e| expected::syntax_error(&e, src, file, st))
            .and_then(|mut pairs| match pairs.next() {
                Some(pair) => lower.statement(pair),
                None => Err(expected::internal(Span::new(file, st.start, st.end))),
            });
        match parsed {
            Ok(item) => items.push(item),
            Err(e) => errors.push(e),
        }
    }
    errors.sort_by_key(|e| (e.span().start, e.span().end));
    match ParseErrors::new(errors) {
        Some(errors) => Err(errors),
        None => Ok(RuleFile {
            file,
            items,
            comments: scanned.comments,
        }),
    }
}

/// Punctuation pairs carry no meaning once parsed.
fn is_punct(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::eq
            | Rule::colon
            | Rule::comma
            | Rule::pipe
            | Rule::lbrace
            | Rule::rbrace
            | Rule::lbrack
            | Rule::rbrack
            | Rule::lparen
            | Rule::rparen
            | Rule::arrow
            | Rule::EOI
    )
}

/// The meaningful children of a pair.
struct Kids<'i> {
    inner: pest::iterators::Pairs<'i, Rule>,
    parent: Span,
}

impl<'i> Kids<'i> {
    /// The next child, which the grammar guarantees is there.
    fn next(&mut self) -> Result<Pair<'i, Rule>> {
        self.next_opt()
            .ok_or_else(|| expected::internal(self.parent))
    }

    fn next_opt(&mut self) -> Option<Pair<'i, Rule>> {
        self.inner.by_ref().find(|p| !is_punct(p.as_rule()))
    }

    /// The next child if it is of rule `rule`.
    fn next_if(&mut self, rule: Rule) -> Option<Pair<'i, Rule>> {
        let mut peek = self.inner.clone();
        let p = peek.find(|p| !is_punct(p.as_rule()))?;
        if p.as_rule() == rule {
            self.inner = peek;
            Some(p)
        } else {
            None
        }
    }
}

impl<'i> Iterator for Kids<'i> {
    type Item = Pair<'i, Rule>;
    fn next(&mut self) -> Option<Pair<'i, Rule>> {
        self.next_opt()
    }
}

struct Lower<'a> {
    file: FileId,
    /// Offset of the statement in the file.
    base: usize,
    /// The statement's text.
    slice: &'a str,
    /// The file's comments, and their end offsets (sorted), to keep them
    /// out of spans.
    comments: &'a [Comment],
    comment_ends: &'a [usize],
    limits: &'a Limits,
    /// Current nesting of parentheses and `not`s.
    depth: usize,
}

impl Lower<'_> {
    /// The span of a pair without the white space and comments pest lets
    /// a rule swallow after its last token.
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        let trimmed = |end: usize| {
            let text = self.slice.get(s.start()..end).unwrap_or("");
            s.start() + text.trim_end().len()
        };
        let mut end = trimmed(s.end());
        // A comment ending where the text now ends: cut it off too.
        while let Ok(i) = self.comment_ends.binary_search(&(self.base + end)) {
            match self.comments.get(i) {
                Some(c) if c.span.start as usize >= self.base + s.start() => {
                    end = trimmed(c.span.start as usize - self.base);
                }
                _ => break,
            }
        }
        Span::new(self.file, self.base + s.start(), self.base + end)
    }

    fn kids<'i>(&self, pair: Pair<'i, Rule>) -> Kids<'i> {
        Kids {
            parent: self.span(&pair),
            inner: pair.into_inner(),
        }
    }

    fn spanned<T>(&self, pair: &Pair<'_, Rule>, node: T) -> Spanned<T> {
        Spanned::new(node, self.span(pair))
    }

    fn text(&self, pair: &Pair<'_, Rule>) -> Spanned<String> {
        self.spanned(pair, pair.as_str().to_string())
    }

    // ------------------------------------------------------------ statements

    fn statement(&mut self, pair: Pair<'_, Rule>) -> Result<Spanned<Item>> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut k = self.kids(pair);
        let item = match rule {
            Rule::version_stmt => {
                k.next()?;
                Item::Version(self.string(k.next()?)?)
            }
            Rule::context_stmt => {
                k.next()?;
                Item::Context(k.map(|f| self.field_decl(f)).collect::<Result<_>>()?)
            }
            Rule::model_stmt => {
                k.next()?;
                let name = self.text(&k.next()?);
                let id = self.string(k.next()?)?;
                Item::Model(ModelDecl { name, id })
            }
            Rule::target_stmt => {
                k.next()?;
                let name = self.text(&k.next()?);
                let target = self.target(k.next()?)?;
                Item::Target(TargetDecl { name, target })
            }
            Rule::let_stmt => {
                k.next()?;
                let name = self.text(&k.next()?);
                let cond = self.condition(k.next()?)?;
                Item::Let(LetDecl { name, cond })
            }
            Rule::defaults_stmt => {
                k.next()?;
                Item::Defaults(self.options(k)?)
            }
            Rule::rule_stmt => Item::Rule(self.rule(k)?),
            Rule::test_stmt => Item::Test(self.test(k)?),
            _ => return Err(expected::internal(span)),
        };
        Ok(Spanned::new(item, span))
    }

    fn field_decl(&mut self, pair: Pair<'_, Rule>) -> Result<Spanned<FieldDecl>> {
        let span = self.span(&pair);
        let mut k = self.kids(pair);
        let name = self.text(&k.next()?);
        let ty_pair = k.next()?;
        let ty_span = self.span(&ty_pair);
        let inner = self.kids(ty_pair).next()?;
        let ty = match inner.as_rule() {
            Rule::type_bool => TypeExpr::Bool,
            Rule::type_int => TypeExpr::Int,
            Rule::type_float => TypeExpr::Float,
            Rule::type_string => TypeExpr::String,
            _ => TypeExpr::Enum(
                self.kids(inner)
                    .map(|s| self.string(s))
                    .collect::<Result<_>>()?,
            ),
        };
        let default = k.next_opt().map(|l| self.literal(l)).transpose()?;
        Ok(Spanned::new(
            FieldDecl {
                name,
                ty: Spanned::new(ty, ty_span),
                default,
            },
            span,
        ))
    }

    fn rule(&mut self, mut k: Kids<'_>) -> Result<RuleDecl> {
        let mut name = None;
        let mut priority = None;
        let guard;
        loop {
            let p = k.next()?;
            match p.as_rule() {
                Rule::kw_rule => {}
                Rule::name => name = Some(self.text(&p)),
                Rule::priority => {
                    let mut pk = self.kids(p);
                    pk.next()?;
                    priority = Some(self.int(pk.next()?)?);
                }
                Rule::guard => {
                    guard = self.guard(p)?;
                    break;
                }
                _ => return Err(expected::internal(self.span(&p))),
            }
        }
        let target = self.target(k.next()?)?;
        Ok(RuleDecl {
            name,
            priority,
            guard,
            target,
        })
    }

    fn guard(&mut self, pair: Pair<'_, Rule>) -> Result<Guard> {
        let mut k = self.kids(pair);
        let first = k.next()?;
        if first.as_rule() == Rule::otherwise {
            return Ok(Guard::Otherwise(self.span(&first)));
        }
        Ok(Guard::When(self.condition(k.next()?)?))
    }

    fn test(&mut self, mut k: Kids<'_>) -> Result<TestDecl> {
        k.next()?;
        let name = self.text(&k.next()?);
        let ctx = k.next()?;
        let ctx_span = self.span(&ctx);
        let mut pairs = Vec::new();
        for tp in self.kids(ctx) {
            let mut tk = self.kids(tp);
            let field = self.text(&tk.next()?);
            let value = self.literal(tk.next()?)?;
            pairs.push((field, value));
        }
        let rule = self.text(&k.next()?);
        let model = match k.next_opt() {
            Some(m) => {
                let mut mk = self.kids(m);
                mk.next()?;
                Some(self.string(mk.next()?)?)
            }
            None => None,
        };
        Ok(TestDecl {
            name,
            context: Spanned::new(pairs, ctx_span),
            rule,
            model,
        })
    }

    // ------------------------------------------------------------ conditions

    fn condition(&mut self, pair: Pair<'_, Rule>) -> Result<Spanned<Expr>> {
        let span = self.span(&pair);
        let mut parts = Vec::new();
        for conj in self.kids(pair).filter(|p| p.as_rule() == Rule::conjunction) {
            parts.push(self.conjunction(conj)?);
        }
        Ok(nary(parts, span, Expr::Or))
    }

    fn conjunction(&mut self, pair: Pair<'_, Rule>) -> Result<Spanned<Expr>> {
        let span = self.span(&pair);
        let mut parts = Vec::new();
        for neg in self.kids(pair).filter(|p| p.as_rule() == Rule::negation) {
            parts.push(self.negation(neg)?);
        }
        Ok(nary(parts, span, Expr::And))
    }

    fn negation(&mut self, pair: Pair<'_, Rule>) -> Result<Spanned<Expr>> {
        let mut nots = Vec::new();
        let mut primary = None;
        for p in self.kids(pair) {
            if p.as_rule() == Rule::not_op {
                if self.depth + nots.len() >= self.limits.depth() {
                    return Err(ParseError::Limit {
                        span: self.span(&p),
                        kind: LimitKind::Depth,
                        limit: self.limits.depth(),
                        found: self.depth + nots.len() + 1,
                    });
                }
                nots.push(self.span(&p));
            } else {
                primary = Some(p);
            }
        }
        let primary = primary.ok_or_else(|| expected::internal(Span::default()))?;
        self.depth += nots.len();
        let inner = self.primary(primary);
        self.depth -= nots.len();
        let mut expr = inner?;
        for not_span in nots.into_iter().rev() {
            let span = not_span.to(expr.span);
            expr = Spanned::new(Expr::Not(Box::new(expr)), span);
        }
        Ok(expr)
    }

    fn primary(&mut self, pair: Pair<'_, Rule>) -> Result<Spanned<Expr>> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut k = self.kids(pair);
        let expr = match rule {
            Rule::paren => {
                self.depth += 1;
                let inner = self.condition(k.next()?);
                self.depth -= 1;
                Expr::Paren(Box::new(inner?))
            }
            Rule::has_atom => {
                k.next()?;
                Expr::Has(self.text(&k.next()?))
            }
            Rule::bool_lit => Expr::Bool(k.next()?.as_rule() == Rule::kw_true),
            Rule::subject_atom => return self.subject_atom(k, span),
            _ => return Err(expected::internal(span)),
        };
        Ok(Spanned::new(expr, span))
    }

    fn subject_atom(&mut self, mut k: Kids<'_>, span: Span) -> Result<Spanned<Expr>> {
        let lhs = self.subject(k.next()?)?;
        let Some(tail) = k.next_opt() else {
            return match lhs.node {
                Subject::Field(name) => Ok(Spanned::new(Expr::Name(name), span)),
                other => Err(ParseError::Misplaced {
                    span,
                    message: format!("`{}` is not a condition on its own", subject_text(&other)),
                    help: "compare it, e.g. `hour >= 9` or `words(prompt) > 100`".into(),
                }),
            };
        };
        let tail_rule = tail.as_rule();
        let mut t = self.kids(tail);
        let expr = match tail_rule {
            Rule::compare_tail => {
                let op_pair = t.next()?;
                let op = match op_pair.as_str() {
                    "==" => CmpOp::Eq,
                    "!=" => CmpOp::Ne,
                    "<" => CmpOp::Lt,
                    "<=" => CmpOp::Le,
                    ">" => CmpOp::Gt,
                    _ => CmpOp::Ge,
                };
                let op = self.spanned(&op_pair, op);
                let rhs = self.operand(t.next()?)?;
                Expr::Compare { lhs, op, rhs }
            }
            Rule::in_tail => {
                let negated = t.next_if(Rule::not_in).is_some();
                t.next()?; // `in`
                let set = t.next()?;
                if set.as_rule() == Rule::range {
                    let mut r = self.kids(set);
                    let lo = self.number(r.next()?)?;
                    let inclusive = r.next()?.as_rule() == Rule::range_incl;
                    let hi = self.number(r.next()?)?;
                    Expr::InRange {
                        lhs,
                        negated,
                        lo,
                        hi,
                        inclusive,
                    }
                } else {
                    let list_span = self.span(&set);
                    let values = self
                        .kids(set)
                        .map(|l| self.literal(l))
                        .collect::<Result<_>>()?;
                    Expr::InList {
                        lhs,
                        negated,
                        values: Spanned::new(values, list_span),
                    }
                }
            }
            Rule::matches_tail => {
                t.next()?;
                let re = t.next()?;
                let re_span = self.span(&re);
                let mut rk = self.kids(re);
                let source = rk.next()?.as_str().to_string();
                let flags = rk
                    .next_opt()
                    .map(|f| f.as_str().to_string())
                    .unwrap_or_default();
                Expr::Matches {
                    lhs,
                    regex: Spanned::new(RegexLit { source, flags }, re_span),
                }
            }
            _ => {
                let op_pair = t.next()?;
                let op = match self.kids(op_pair.clone()).next()?.as_rule() {
                    Rule::kw_contains => StrOp::Contains,
                    Rule::kw_starts_with => StrOp::StartsWith,
                    _ => StrOp::EndsWith,
                };
                let op = self.spanned(&op_pair, op);
                let needle = self.string(t.next()?)?;
                Expr::StrTest { lhs, op, needle }
            }
        };
        Ok(Spanned::new(expr, span))
    }

    fn subject(&self, pair: Pair<'_, Rule>) -> Result<Spanned<Subject>> {
        let span = self.span(&pair);
        let inner = self.kids(pair).next()?;
        let subject = match inner.as_rule() {
            Rule::words_fn | Rule::len_fn => {
                let is_words = inner.as_rule() == Rule::words_fn;
                let mut k = self.kids(inner);
                k.next()?;
                let field = self.text(&k.next()?);
                if is_words {
                    Subject::Words(field)
                } else {
                    Subject::Len(field)
                }
            }
            Rule::kw_hour => Subject::Hour,
            Rule::kw_weekday => Subject::Weekday,
            _ => Subject::Field(self.text(&inner)),
        };
        Ok(Spanned::new(subject, span))
    }

    fn operand(&self, pair: Pair<'_, Rule>) -> Result<Spanned<Operand>> {
        let span = self.span(&pair);
        let inner = self.kids(pair).next()?;
        Ok(if inner.as_rule() == Rule::literal {
            self.literal(inner)?.map(Operand::Literal)
        } else {
            Spanned::new(Operand::Subject(self.subject(inner)?.node), span)
        })
    }

    // ------------------------------------------------------------ targets

    fn target(&mut self, pair: Pair<'_, Rule>) -> Result<Spanned<Target>> {
        let span = self.span(&pair);
        let inner = self.kids(pair).next()?;
        let rule = inner.as_rule();
        let mut k = self.kids(inner);
        let target = match rule {
            Rule::split_target => {
                k.next()?; // split
                k.next()?; // by
                let key = self.text(&k.next()?);
                let arms = k.map(|a| self.arm(a)).collect::<Result<_>>()?;
                Target::Split { key, arms }
            }
            Rule::cheapest_target => self.cheapest(k)?,
            _ => self.chain(k)?,
        };
        Ok(Spanned::new(target, span))
    }

    fn cheapest(&mut self, mut k: Kids<'_>) -> Result<Target> {
        k.next()?;
        let candidates = self.model_list(k.next()?)?;
        let options = self.options(k)?;
        Ok(Target::Cheapest {
            candidates,
            options,
        })
    }

    fn chain(&mut self, mut k: Kids<'_>) -> Result<Target> {
        let primary = self.model_ref(k.next()?)?;
        let fallbacks = match k.next_if(Rule::fallback) {
            Some(f) => {
                let mut fk = self.kids(f);
                fk.next()?;
                Some(self.model_list(fk.next()?)?)
            }
            None => None,
        };
        let options = self.options(k)?;
        Ok(Target::Chain(Chain {
            primary,
            fallbacks,
            options,
        }))
    }

    fn arm(&mut self, pair: Pair<'_, Rule>) -> Result<Spanned<Arm>> {
        let span = self.span(&pair);
        let mut k = self.kids(pair);
        let name = k.next_if(Rule::name).map(|n| self.text(&n));
        let weight = self.weight(k.next()?)?;
        let target_pair = k.next()?;
        let target_span = self.span(&target_pair);
        let inner = self.kids(target_pair).next()?;
        let rule = inner.as_rule();
        let tk = self.kids(inner);
        let target = if rule == Rule::cheapest_target {
            self.cheapest(tk)?
        } else {
            self.chain(tk)?
        };
        Ok(Spanned::new(
            Arm {
                name,
                weight,
                target: Spanned::new(target, target_span),
            },
            span,
        ))
    }

    fn weight(&self, pair: Pair<'_, Rule>) -> Result<Spanned<u32>> {
        let span = self.span(&pair);
        let text = pair.as_str();
        let digits = text.trim_end_matches('%');
        let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
        if frac.len() > 2 {
            return Err(ParseError::BadWeight {
                span,
                text: text.to_string(),
            });
        }
        let frac_bp: u32 = format!("{frac:0<2}").parse().unwrap_or(0);
        let bp = whole
            .parse::<u32>()
            .ok()
            .and_then(|w| w.checked_mul(100))
            .and_then(|w| w.checked_add(frac_bp))
            .ok_or_else(|| ParseError::BadNumber {
                span,
                text: text.to_string(),
                reason: "split weight out of range",
            })?;
        Ok(Spanned::new(bp, span))
    }

    fn model_list(&self, pair: Pair<'_, Rule>) -> Result<Spanned<Vec<Spanned<ModelRef>>>> {
        let span = self.span(&pair);
        let models = self
            .kids(pair)
            .map(|m| self.model_ref(m))
            .collect::<Result<_>>()?;
        Ok(Spanned::new(models, span))
    }

    fn model_ref(&self, pair: Pair<'_, Rule>) -> Result<Spanned<ModelRef>> {
        let span = self.span(&pair);
        let mut k = self.kids(pair);
        let first = k.next()?;
        let model = if first.as_rule() == Rule::string {
            ModelRef::Id(self.string(first)?.node)
        } else {
            ModelRef::Name {
                name: first.as_str().to_string(),
                variant: k.next_opt().map(|v| v.as_str().to_string()),
            }
        };
        Ok(Spanned::new(model, span))
    }

    fn options(&self, k: Kids<'_>) -> Result<Vec<Spanned<TargetOption>>> {
        k.map(|o| self.option(o)).collect()
    }

    fn option(&self, pair: Pair<'_, Rule>) -> Result<Spanned<TargetOption>> {
        let span = self.span(&pair);
        let inner = self.kids(pair).next()?;
        let rule = inner.as_rule();
        let mut k = self.kids(inner);
        k.next()?; // the keyword
        let option = match rule {
            Rule::max_tokens_opt => TargetOption::MaxTokens(self.int(k.next()?)?),
            Rule::provider_opt => TargetOption::Provider(self.object(k.next()?)?),
            Rule::params_opt => TargetOption::Params(self.object(k.next()?)?),
            Rule::tag_opt => TargetOption::Tag(self.string(k.next()?)?),
            Rule::transforms_opt => {
                let list = k.next()?;
                let list_span = self.span(&list);
                let items = self
                    .kids(list)
                    .map(|s| self.string(s))
                    .collect::<Result<_>>()?;
                TargetOption::Transforms(Spanned::new(items, list_span))
            }
            _ => TargetOption::Require(k.map(|r| self.requirement(r)).collect::<Result<_>>()?),
        };
        Ok(Spanned::new(option, span))
    }

    fn requirement(&self, pair: Pair<'_, Rule>) -> Result<Spanned<Requirement>> {
        let span = self.span(&pair);
        let inner = self.kids(pair).next()?;
        let req = match inner.as_rule() {
            Rule::req_fits => Requirement::Fits(self.text(&self.kids(inner).next()?)),
            Rule::req_cost => {
                let mut k = self.kids(inner);
                let tokens = self.text(&k.next()?);
                let max = self.operand(k.next()?)?;
                Requirement::CostAtMost { tokens, max }
            }
            _ => match inner.as_str() {
                "tools" => Requirement::Tools,
                "vision" => Requirement::Vision,
                _ => Requirement::Json,
            },
        };
        Ok(Spanned::new(req, span))
    }

    // ------------------------------------------------------------ values

    fn object(&self, pair: Pair<'_, Rule>) -> Result<Spanned<Entries>> {
        let span = self.span(&pair);
        let mut entries = Vec::new();
        for p in self.kids(pair) {
            let mut k = self.kids(p);
            let key_pair = self.kids(k.next()?).next()?;
            let key = if key_pair.as_rule() == Rule::string {
                self.string(key_pair)?
            } else {
                self.text(&key_pair)
            };
            let value = self.value(k.next()?)?;
            entries.push((key, value));
        }
        Ok(Spanned::new(entries, span))
    }

    fn value(&self, pair: Pair<'_, Rule>) -> Result<Spanned<Value>> {
        let span = self.span(&pair);
        let inner = self.kids(pair).next()?;
        let value = match inner.as_rule() {
            Rule::bad_number => return Err(self.bad_number(&inner)),
            Rule::string => Value::String(self.string(inner)?.node),
            Rule::number => Value::Number(self.number(inner)?.node),
            Rule::kw_true => Value::Bool(true),
            Rule::kw_false => Value::Bool(false),
            Rule::array => Value::Array(
                self.kids(inner)
                    .map(|v| self.value(v))
                    .collect::<Result<_>>()?,
            ),
            _ => Value::Object(self.object(inner)?.node),
        };
        Ok(Spanned::new(value, span))
    }

    fn literal(&self, pair: Pair<'_, Rule>) -> Result<Spanned<Literal>> {
        let span = self.span(&pair);
        let inner = self.kids(pair).next()?;
        let lit = match inner.as_rule() {
            Rule::bad_number => return Err(self.bad_number(&inner)),
            Rule::string => Literal::String(self.string(inner)?.node),
            Rule::number => Literal::Number(self.number(inner)?.node),
            Rule::kw_true => Literal::Bool(true),
            _ => Literal::Bool(false),
        };
        Ok(Spanned::new(lit, span))
    }

    fn bad_number(&self, pair: &Pair<'_, Rule>) -> ParseError {
        ParseError::BadNumber {
            span: self.span(pair),
            text: pair.as_str().to_string(),
            reason: "a number needs digits on both sides of the point",
        }
    }

    fn string(&self, pair: Pair<'_, Rule>) -> Result<Spanned<String>> {
        let span = self.span(&pair);
        let text = pair.as_str();
        serde_json::from_str::<String>(text)
            .map(|s| Spanned::new(s, span))
            .map_err(|e| {
                let reason = e.to_string();
                let reason = reason
                    .split(" at line ")
                    .next()
                    .unwrap_or(&reason)
                    .to_string();
                // serde_json's column (1-based, in bytes) is just past the
                // problem; point at the escape it belongs to.
                let at = e.column().saturating_sub(1).min(text.len());
                let start = text
                    .get(..at)
                    .and_then(|head| head.rfind('\\'))
                    .unwrap_or(0);
                let span = Span::new(
                    span.file,
                    span.start as usize + start,
                    span.start as usize + at.max(start + 1),
                );
                ParseError::BadString { span, reason }
            })
    }

    fn number(&self, pair: Pair<'_, Rule>) -> Result<Spanned<Number>> {
        let span = self.span(&pair);
        let text = pair.as_str();
        let bad = |reason| ParseError::BadNumber {
            span,
            text: text.to_string(),
            reason,
        };
        let n = if text.contains(['.', 'e', 'E']) {
            match text.parse::<f64>() {
                Ok(f) if f.is_finite() => Number::Float(f),
                _ => return Err(bad("number out of range")),
            }
        } else {
            Number::Int(
                text.parse::<i64>()
                    .map_err(|_| bad("integer out of the 64-bit range"))?,
            )
        };
        Ok(Spanned::new(n, span))
    }

    fn int(&self, pair: Pair<'_, Rule>) -> Result<Spanned<i64>> {
        let text = pair.as_str().to_string();
        let n = self.number(pair)?;
        match n.node {
            Number::Int(i) => Ok(Spanned::new(i, n.span)),
            Number::Float(_) => Err(ParseError::BadNumber {
                span: n.span,
                text,
                reason: "expected an integer",
            }),
        }
    }
}

/// One operand stays itself; several become an n-ary node.
fn nary(
    mut parts: Vec<Spanned<Expr>>,
    span: Span,
    make: fn(Vec<Spanned<Expr>>) -> Expr,
) -> Spanned<Expr> {
    if parts.len() == 1 {
        if let Some(only) = parts.pop() {
            return only;
        }
    }
    Spanned::new(make(parts), span)
}

fn subject_text(s: &Subject) -> String {
    match s {
        Subject::Field(f) => f.node.clone(),
        Subject::Words(f) => format!("words({})", f.node),
        Subject::Len(f) => format!("len({})", f.node),
        Subject::Hour => "hour".into(),
        Subject::Weekday => "weekday".into(),
    }
}

#[cfg(test)]
mod tests;
