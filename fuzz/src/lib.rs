//! What the fuzz targets share: the harness of each target, and the
//! structured ruleset and context descriptions of the `decide` target.
//!
//! Every harness panics (which libFuzzer reports as a crash) only when an
//! invariant breaks: the library itself must never panic, whatever it is
//! given.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a fuzz harness reports a broken invariant by panicking"
)]

use std::fmt::Write as _;
use std::sync::OnceLock;

use arbitrary::Arbitrary;
use serde_json::{Map, Value as Json};
use switchyard_check::analysis::AnalysisOptions;
use switchyard_eval::{
    CompileOptions, CompiledTable, Context, DecideError, IndexPolicy, Input, LoadOptions,
    RulesetError,
};
use switchyard_syntax::{
    convert, format_source, parse, parse_json, parse_sources, print, Form, Limits, Severity,
    SourceMap,
};

// ------------------------------------------------------------------ parse

/// Splits fuzz input into files at `0xFF` bytes (never valid UTF-8, so no
/// real file holds one), at most eight.
fn sources_of(data: &[u8]) -> SourceMap {
    let mut sources = SourceMap::new();
    for (i, part) in data.split(|&b| b == 0xFF).take(8).enumerate() {
        sources.add_bytes(format!("f{i}.route"), part.to_vec());
    }
    sources
}

/// `parse`: bytes to files, parsed together. Where a file parses, its
/// printed form parses back to the same statements, and formatting its
/// text works and is idempotent. The bytes are also read as a ruleset in
/// JSON: where that parses, converting it to `.route` and to JSON works
/// (the converters check that the output reads back the same).
pub fn parse_target(data: &[u8]) {
    let sources = sources_of(data);
    let limits = Limits::default();
    if let Ok(text) = std::str::from_utf8(data) {
        let id = switchyard_syntax::FileId(0);
        if parse_json(text, id, &limits).is_ok() {
            for to in [Form::Route, Form::Json] {
                if let Err(e) = convert(text, id, Form::Json, to, &limits) {
                    panic!("a JSON ruleset that parses does not convert to {to:?}: {e}\n{text}");
                }
            }
        }
    }
    let Ok(files) = parse_sources(&sources, &limits) else {
        return;
    };
    for (file, (id, source)) in files.iter().zip(sources.files()) {
        let printed = print(file);
        let back = parse(&printed, id, &limits).unwrap_or_else(|e| {
            panic!("printed file does not parse: {e}\n--- printed ---\n{printed}")
        });
        assert!(
            back.items == file.items,
            "printed file parses to other statements\n--- source ---\n{:?}\n--- printed ---\n{printed}",
            source.text()
        );
        let once = format_source(source.text(), id, &limits)
            .unwrap_or_else(|e| panic!("parses but does not format: {e}"));
        let twice = format_source(&once, id, &limits)
            .unwrap_or_else(|e| panic!("formatted text does not format: {e}\n{once}"));
        assert!(
            once == twice,
            "formatting is not idempotent\n--- once ---\n{once}\n--- twice ---\n{twice}"
        );
    }
}

// ------------------------------------------------------------------ check

/// `check`: bytes to files, loaded with the condition analysis (parsed,
/// checked and, without errors, compiled). A ruleset that loads decides a
/// context of defaults the same way compiled and naive.
pub fn check_target(data: &[u8]) {
    let sources = sources_of(data);
    let analysed = LoadOptions::new().with_analysis(AnalysisOptions::default());
    let (loaded, diagnostics) = match CompiledTable::from_sources(sources.clone(), &analysed) {
        Ok((table, warnings)) => (Some(table), warnings),
        Err(RulesetError::Invalid { diagnostics, .. }) => (None, diagnostics),
        Err(e) => panic!("in-memory sources cannot fail to read: {e}"),
    };
    for d in &diagnostics {
        // Every diagnostic points into the ruleset's files.
        let file = sources.file(d.span.file);
        assert!(file.is_some(), "diagnostic in an unknown file: {d:?}");
        let len = file.map_or(0, |f| f.text().len());
        assert!(
            d.span.start <= d.span.end && d.span.end as usize <= len,
            "diagnostic span out of range: {d:?}"
        );
    }
    // A ruleset loads exactly when it has no errors (one that needs a
    // catalog refuses to compile without one, which is an error too).
    let errors = diagnostics.iter().any(|d| d.severity() == Severity::Error);
    assert_eq!(loaded.is_some(), !errors, "{diagnostics:?}");
    if let Some(table) = loaded {
        let ctx = table.context().at_unix(0).build();
        agree(&table, &ctx);
    }
}

// ------------------------------------------------------------------ decide

/// The schema every generated ruleset shares.
const SCHEMA: &str = r#"context {
  tier: "free" | "basic" | "pro" | "enterprise" = "free"
  task: "chat" | "code" | "analysis"
  budget: float = 1.0
  tokens: int = 0
  tenant: int
  tools: bool = false
  vision: bool
  user: string
  prompt: string = ""
}
model a = "p/a"
model b = "p/b:free"
model c = "p/c"
target t = b fallback [c] max_tokens 7
defaults max_tokens 100
"#;

/// The schema's fields, in order.
const FIELDS: [&str; 9] = [
    "tier", "task", "budget", "tokens", "tenant", "tools", "vision", "user", "prompt",
];

/// At most this many rules, lets and atoms are rendered, so one input
/// stays fast.
const MAX_RULES: usize = 200;
const MAX_LETS: usize = 6;
const MAX_ATOMS: usize = 400;
const MAX_COND_DEPTH: usize = 8;

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Tier {
    Free,
    Basic,
    Pro,
    Enterprise,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Task {
    Chat,
    Code,
    Analysis,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Day {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum EqOp {
    Eq,
    Ne,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum StrOp {
    Contains,
    StartsWith,
    EndsWith,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum StrField {
    User,
    Prompt,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum BoolField {
    Tools,
    Vision,
}

/// A numeric subject: a field, a derived count, or the hour.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum NumSubject {
    Budget,
    Tokens,
    Tenant,
    WordsPrompt,
    LenUser,
    Hour,
}

/// An integer literal: mostly small, sometimes anything (`i64::MIN`..).
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum IntLit {
    Small(i8),
    Any(i64),
}

/// A float literal (non-finite ones are rendered as `0.5`).
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum FloatLit {
    Small(i8),
    Any(f64),
}

/// A string: a few usual ones, or any Unicode text.
#[derive(Arbitrary, Debug, Clone)]
pub enum Text {
    Pick(u8),
    Any(String),
}

/// A regex: a few valid ones, or any text (often invalid: E010).
#[derive(Arbitrary, Debug, Clone)]
pub struct RegexDesc {
    body: Text,
    case_insensitive: bool,
    multi_line: bool,
}

#[derive(Arbitrary, Debug, Clone)]
pub enum AtomDesc {
    Tier(EqOp, Tier),
    TierIn(bool, Vec<Tier>),
    Task(EqOp, Task),
    TaskIn(bool, Vec<Task>),
    Budget(Cmp, FloatLit),
    Int(NumSubject, Cmp, IntLit),
    IntRange(NumSubject, IntLit, IntLit, bool, bool),
    FloatRange(FloatLit, FloatLit, bool, bool),
    TenantIn(bool, Vec<IntLit>),
    Flag(BoolField),
    BoolEq(BoolField, EqOp, bool),
    Has(u8),
    User(EqOp, Text),
    UserIn(bool, Vec<Text>),
    Str(StrField, StrOp, Text),
    Matches(StrField, RegexDesc),
    Fields(NumSubject, Cmp, NumSubject),
    Weekday(EqOp, Day),
    WeekdayIn(bool, Vec<Day>),
    Let(u8),
    True,
    False,
}

#[derive(Arbitrary, Debug, Clone)]
pub enum CondDesc {
    Atom(AtomDesc),
    Not(Box<CondDesc>),
    And(Vec<CondDesc>),
    Or(Vec<CondDesc>),
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum ModelDesc {
    A,
    B,
    C,
    Floor,
    Quoted,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum SplitKey {
    User,
    Tier,
    Tenant,
    Tools,
    Task,
}

#[derive(Arbitrary, Debug, Clone)]
pub enum TargetDesc {
    Chain {
        model: ModelDesc,
        fallbacks: Vec<ModelDesc>,
        max_tokens: Option<u16>,
        tag: bool,
    },
    Named(Option<u16>),
    Split(SplitKey, Vec<(u8, ModelDesc)>),
}

#[derive(Arbitrary, Debug, Clone)]
pub struct RuleDesc {
    cond: Option<CondDesc>,
    target: TargetDesc,
    named: bool,
    priority: i16,
}

/// A ruleset over [`SCHEMA`].
#[derive(Arbitrary, Debug, Clone)]
pub struct RulesetDesc {
    lets: Vec<CondDesc>,
    rules: Vec<RuleDesc>,
    priorities: bool,
    catch_all: bool,
}

/// A value for one field, given through the builder or through JSON.
#[derive(Arbitrary, Debug, Clone)]
pub enum ValueDesc {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Text),
    /// A string field's value repeated up to 64 Ki times.
    Long(Text, u16),
}

#[derive(Arbitrary, Debug, Clone)]
pub struct ContextDesc {
    /// (field index, with 9 and up naming an unknown field; value).
    values: Vec<(u8, ValueDesc)>,
    unix: i64,
    via_json: bool,
}

/// The `decide` input: a generated ruleset, or one of the test files,
/// and contexts to decide.
#[derive(Arbitrary, Debug, Clone)]
pub enum Rules {
    Generated(RulesetDesc),
    Corpus(u8),
}

#[derive(Arbitrary, Debug, Clone)]
pub struct DecideInput {
    rules: Rules,
    contexts: Vec<ContextDesc>,
}

const TEXTS: [&str; 10] = [
    "",
    "u1",
    "alice",
    "x y",
    "ab cd",
    "\u{0}",
    "e\u{301}",
    "\u{202e}evil",
    "🚀",
    "def main",
];

const REGEXES: [&str; 8] = [
    "ab|x",
    "^u[0-9]+$",
    "(a+)+$",
    "(x+x+)+y",
    "\\bexplain\\b",
    "```|def |class ",
    "\\p{L}+",
    "(?:a|aa)*b",
];

impl Text {
    fn get(&self) -> &str {
        match self {
            Text::Pick(i) => TEXTS[usize::from(*i) % TEXTS.len()],
            Text::Any(s) => s,
        }
    }
}

fn string_lit(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn int_lit(i: IntLit) -> String {
    match i {
        IntLit::Small(i) => i.to_string(),
        IntLit::Any(i) => i.to_string(),
    }
}

fn float_lit(f: FloatLit) -> String {
    let v = match f {
        FloatLit::Small(i) => f64::from(i) / 4.0,
        FloatLit::Any(f) if f.is_finite() => f,
        FloatLit::Any(_) => 0.5,
    };
    format!("{v:?}")
}

fn cmp(op: Cmp) -> &'static str {
    match op {
        Cmp::Eq => "==",
        Cmp::Ne => "!=",
        Cmp::Lt => "<",
        Cmp::Le => "<=",
        Cmp::Gt => ">",
        Cmp::Ge => ">=",
    }
}

fn eq(op: EqOp) -> &'static str {
    match op {
        EqOp::Eq => "==",
        EqOp::Ne => "!=",
    }
}

fn tier(t: Tier) -> &'static str {
    match t {
        Tier::Free => "\"free\"",
        Tier::Basic => "\"basic\"",
        Tier::Pro => "\"pro\"",
        Tier::Enterprise => "\"enterprise\"",
    }
}

fn task(t: Task) -> &'static str {
    match t {
        Task::Chat => "\"chat\"",
        Task::Code => "\"code\"",
        Task::Analysis => "\"analysis\"",
    }
}

fn day(d: Day) -> &'static str {
    match d {
        Day::Mon => "\"mon\"",
        Day::Tue => "\"tue\"",
        Day::Wed => "\"wed\"",
        Day::Thu => "\"thu\"",
        Day::Fri => "\"fri\"",
        Day::Sat => "\"sat\"",
        Day::Sun => "\"sun\"",
    }
}

fn str_field(f: StrField) -> &'static str {
    match f {
        StrField::User => "user",
        StrField::Prompt => "prompt",
    }
}

fn bool_field(f: BoolField) -> &'static str {
    match f {
        BoolField::Tools => "tools",
        BoolField::Vision => "vision",
    }
}

fn num_subject(s: NumSubject) -> &'static str {
    match s {
        NumSubject::Budget => "budget",
        NumSubject::Tokens => "tokens",
        NumSubject::Tenant => "tenant",
        NumSubject::WordsPrompt => "words(prompt)",
        NumSubject::LenUser => "len(user)",
        NumSubject::Hour => "hour",
    }
}

fn model(m: ModelDesc) -> &'static str {
    match m {
        ModelDesc::A => "a",
        ModelDesc::B => "b",
        ModelDesc::C => "c",
        ModelDesc::Floor => "a:floor",
        ModelDesc::Quoted => "\"q/quoted\"",
    }
}

fn list<T: Copy>(items: &[T], f: impl Fn(T) -> String) -> String {
    let items: Vec<String> = items.iter().take(6).map(|&i| f(i)).collect();
    format!("[{}]", items.join(", "))
}

fn not_in(negated: bool) -> &'static str {
    if negated {
        "not in"
    } else {
        "in"
    }
}

/// Renders conditions, with a budget of atoms.
struct Render {
    atoms: usize,
    /// Lets the condition may name (those declared before it).
    lets: usize,
}

impl Render {
    fn atom(&mut self, a: &AtomDesc) -> String {
        self.atoms += 1;
        match a {
            AtomDesc::Tier(op, t) => format!("tier {} {}", eq(*op), tier(*t)),
            AtomDesc::TierIn(n, ts) => {
                format!("tier {} {}", not_in(*n), list(ts, |t| tier(t).into()))
            }
            AtomDesc::Task(op, t) => format!("task {} {}", eq(*op), task(*t)),
            AtomDesc::TaskIn(n, ts) => {
                format!("task {} {}", not_in(*n), list(ts, |t| task(t).into()))
            }
            AtomDesc::Budget(op, f) => format!("budget {} {}", cmp(*op), float_lit(*f)),
            AtomDesc::Int(s, op, i) => format!("{} {} {}", num_subject(*s), cmp(*op), int_lit(*i)),
            AtomDesc::IntRange(s, lo, hi, inclusive, n) => format!(
                "{} {} {}..{}{}",
                num_subject(*s),
                not_in(*n),
                int_lit(*lo),
                if *inclusive { "=" } else { "" },
                int_lit(*hi)
            ),
            AtomDesc::FloatRange(lo, hi, inclusive, n) => format!(
                "budget {} {}..{}{}",
                not_in(*n),
                float_lit(*lo),
                if *inclusive { "=" } else { "" },
                float_lit(*hi)
            ),
            AtomDesc::TenantIn(n, is) => format!("tenant {} {}", not_in(*n), list(is, int_lit)),
            AtomDesc::Flag(f) => bool_field(*f).into(),
            AtomDesc::BoolEq(f, op, b) => format!("{} {} {b}", bool_field(*f), eq(*op)),
            AtomDesc::Has(i) => format!("has({})", FIELDS[usize::from(*i) % FIELDS.len()]),
            AtomDesc::User(op, t) => format!("user {} {}", eq(*op), string_lit(t.get())),
            AtomDesc::UserIn(n, ts) => {
                let items: Vec<String> = ts.iter().take(6).map(|t| string_lit(t.get())).collect();
                format!("user {} [{}]", not_in(*n), items.join(", "))
            }
            AtomDesc::Str(f, op, t) => {
                let op = match op {
                    StrOp::Contains => "contains",
                    StrOp::StartsWith => "starts_with",
                    StrOp::EndsWith => "ends_with",
                };
                format!("{} {op} {}", str_field(*f), string_lit(t.get()))
            }
            AtomDesc::Matches(f, r) => {
                let body = match &r.body {
                    Text::Pick(i) => REGEXES[usize::from(*i) % REGEXES.len()].to_string(),
                    Text::Any(s) => s.replace('/', "\\/").replace('\n', "\\n"),
                };
                let mut flags = String::new();
                if r.case_insensitive {
                    flags.push('i');
                }
                if r.multi_line {
                    flags.push('m');
                }
                format!("{} matches /{body}/{flags}", str_field(*f))
            }
            AtomDesc::Fields(a, op, b) => {
                format!("{} {} {}", num_subject(*a), cmp(*op), num_subject(*b))
            }
            AtomDesc::Weekday(op, d) => format!("weekday {} {}", eq(*op), day(*d)),
            AtomDesc::WeekdayIn(n, ds) => {
                format!("weekday {} {}", not_in(*n), list(ds, |d| day(d).into()))
            }
            AtomDesc::Let(i) => match self.lets {
                0 => "tools".into(),
                n => format!("l{}", usize::from(*i) % n),
            },
            AtomDesc::True => "true".into(),
            AtomDesc::False => "false".into(),
        }
    }

    fn cond(&mut self, c: &CondDesc, depth: usize) -> String {
        if depth >= MAX_COND_DEPTH || self.atoms >= MAX_ATOMS {
            return "true".into();
        }
        match c {
            CondDesc::Atom(a) => self.atom(a),
            CondDesc::Not(c) => format!("not ({})", self.cond(c, depth + 1)),
            CondDesc::And(cs) | CondDesc::Or(cs) => {
                let op = if matches!(c, CondDesc::And(_)) {
                    " and "
                } else {
                    " or "
                };
                let parts: Vec<String> = cs
                    .iter()
                    .take(6)
                    .map(|c| format!("({})", self.cond(c, depth + 1)))
                    .collect();
                if parts.is_empty() {
                    "true".into()
                } else {
                    parts.join(op)
                }
            }
        }
    }
}

fn target(t: &TargetDesc) -> String {
    match t {
        TargetDesc::Chain {
            model: m,
            fallbacks,
            max_tokens,
            tag,
        } => {
            let mut s = model(*m).to_string();
            if !fallbacks.is_empty() {
                s.push_str(" fallback ");
                s.push_str(&list(&fallbacks[..fallbacks.len().min(3)], |m| {
                    model(m).into()
                }));
            }
            if let Some(n) = max_tokens {
                let _ = write!(s, " max_tokens {}", u32::from(*n) + 1);
            }
            if *tag {
                s.push_str(" tag \"x\"");
            }
            s
        }
        TargetDesc::Named(None) => "t".into(),
        TargetDesc::Named(Some(n)) => format!("t max_tokens {}", u32::from(*n) + 1),
        TargetDesc::Split(key, arms) => {
            let key = match key {
                SplitKey::User => "user",
                SplitKey::Tier => "tier",
                SplitKey::Tenant => "tenant",
                SplitKey::Tools => "tools",
                SplitKey::Task => "task",
            };
            let arms: Vec<(u32, ModelDesc)> = if arms.is_empty() {
                vec![(1, ModelDesc::A)]
            } else {
                arms.iter()
                    .take(4)
                    .map(|&(w, m)| (u32::from(w % 100) + 1, m))
                    .collect()
            };
            // Weights in basis points adding up to exactly 10,000.
            let total: u32 = arms.iter().map(|a| a.0).sum();
            let mut left = 10_000;
            let mut s = format!("split by {key} {{");
            for (i, (w, m)) in arms.iter().enumerate() {
                let bp = if i + 1 == arms.len() {
                    left
                } else {
                    w * 10_000 / total
                };
                left -= bp;
                let _ = write!(s, " arm{i} {}.{:02}%: {}", bp / 100, bp % 100, model(*m));
            }
            s.push_str(" }");
            s
        }
    }
}

impl RulesetDesc {
    /// The ruleset as source text.
    pub fn render(&self) -> String {
        let mut src = SCHEMA.to_string();
        let mut r = Render { atoms: 0, lets: 0 };
        for (i, l) in self.lets.iter().take(MAX_LETS).enumerate() {
            r.lets = i;
            let c = r.cond(l, 0);
            let _ = writeln!(src, "let l{i} = {c}");
        }
        r.lets = self.lets.len().min(MAX_LETS);
        for (i, rule) in self.rules.iter().take(MAX_RULES).enumerate() {
            let cond = match &rule.cond {
                Some(c) => format!("when {}", r.cond(c, 0)),
                None => "otherwise".into(),
            };
            let priority = if self.priorities {
                format!(" priority {}", rule.priority)
            } else {
                String::new()
            };
            let head = match (rule.named, self.priorities) {
                (true, _) => format!("rule r{i}{priority}: "),
                (false, true) => format!("rule{priority}: "),
                (false, false) => String::new(),
            };
            let _ = writeln!(src, "{head}{cond} -> {}", target(&rule.target));
        }
        if self.catch_all {
            let priority = if self.priorities {
                " priority 32767"
            } else {
                ""
            };
            let _ = writeln!(src, "rule last{priority}: otherwise -> a");
        }
        src
    }
}

/// Loads a generated ruleset. One without a catch-all may route some
/// context nowhere (E008 for `check`, which loading does not run), so
/// no-match decisions are fuzzed too. A ruleset with errors (a bad regex,
/// a let cycle through a generated name, ...) skips the input.
pub fn compile_generated(src: &str) -> Option<CompiledTable> {
    let mut sources = SourceMap::new();
    sources.add("gen.route", src);
    CompiledTable::from_sources(sources, LoadOptions::new())
        .ok()
        .map(|(table, _)| table)
}

/// The test files a `decide` input may pick instead of a generated
/// ruleset, compiled once.
fn corpus() -> &'static [CompiledTable] {
    static CORPUS: OnceLock<Vec<CompiledTable>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let texts = [
            include_str!("../../examples/openrouter.route"),
            include_str!("../../corpus/good/atoms.route"),
            include_str!("../../corpus/good/bare-rule.route"),
            include_str!("../../corpus/good/language-section1.route"),
            include_str!("../../corpus/good/missing-values.route"),
            include_str!("../../corpus/good/priorities.route"),
            include_str!("../../corpus/good/targets.route"),
            include_str!("../../corpus/good/tests.route"),
            include_str!("../../corpus/good/unicode-and-comments.route"),
        ];
        texts
            .iter()
            .filter_map(|t| CompiledTable::from_source(t).ok().map(|(table, _)| table))
            .collect()
    })
}

/// The same ruleset compiled with another index policy.
fn recompiled(table: &CompiledTable, index: IndexPolicy) -> CompiledTable {
    CompiledTable::compile_with(
        table.ruleset().clone(),
        table.sources(),
        &CompileOptions::default().with_index(index),
    )
    .unwrap_or_else(|e| panic!("recompiling with {index:?} failed: {e}"))
}

/// Builds a context for `table` from a description; `None` when the
/// library rejects a value (which it must do for NaN, infinities, wrong
/// types and strings outside an enum).
fn build<'t>(table: &'t CompiledTable, desc: &ContextDesc) -> Option<Context<'t>> {
    let fields = &table.ruleset().fields;
    let name = |i: u8| -> String {
        let i = usize::from(i);
        fields
            .get(i % (fields.len() + 1))
            .map_or_else(|| "not_a_field".to_string(), |f| f.name.clone())
    };
    let long = |t: &Text, n: u16| t.get().repeat(usize::from(n));
    if desc.via_json {
        let mut map = Map::new();
        for (i, v) in desc.values.iter().take(16) {
            let json = match v {
                ValueDesc::Null => Json::Null,
                ValueDesc::Bool(b) => Json::Bool(*b),
                ValueDesc::Int(i) => Json::from(*i),
                // NaN and infinities are not JSON: `null`.
                ValueDesc::Float(f) => Json::from(*f),
                ValueDesc::Str(t) => Json::from(t.get()),
                ValueDesc::Long(t, n) => Json::from(long(t, *n)),
            };
            map.insert(name(*i), json);
        }
        table
            .context_from_json_at(&Json::Object(map), Some(desc.unix))
            .ok()
    } else {
        let mut b = table.context().at_unix(desc.unix);
        for (i, v) in desc.values.iter().take(16) {
            let field = name(*i);
            let kept;
            let input = match v {
                ValueDesc::Null => {
                    b = b.clear(&field);
                    continue;
                }
                ValueDesc::Bool(x) => Input::Bool(*x),
                ValueDesc::Int(x) => Input::Int(*x),
                ValueDesc::Float(x) => Input::Float(*x),
                ValueDesc::Str(t) => Input::Str(t.get()),
                ValueDesc::Long(t, n) => {
                    kept = long(t, *n);
                    Input::Str(&kept)
                }
            };
            let non_finite = matches!(input, Input::Float(f) if !f.is_finite());
            let is_known = fields.iter().any(|f| f.name == field);
            match b.set(&field, input) {
                Ok(next) => {
                    assert!(
                        !(non_finite && is_known),
                        "a non-finite float was accepted for `{field}`"
                    );
                    b = next;
                }
                Err(_) => return None,
            }
        }
        Some(b.build())
    }
}

/// `decide` agrees with `decide_naive` and with `explain`, twice in a row.
fn agree(table: &CompiledTable, ctx: &Context) {
    let key = |d: &switchyard_eval::Decision<'_>| {
        (
            d.rule().to_string(),
            d.variant().map(str::to_string),
            d.model().to_string(),
            d.fallbacks().map(str::to_string).collect::<Vec<_>>(),
        )
    };
    let compiled = table.decide(ctx).map(|d| d.as_ref().map(key));
    let naive = table.decide_naive(ctx).map(|d| d.as_ref().map(key));
    assert_eq!(
        compiled,
        naive,
        "compiled and naive disagree\n{}",
        source_text(table)
    );
    let again = table.decide(ctx).map(|d| d.as_ref().map(key));
    assert_eq!(compiled, again, "a second decision differs");
    let compiled = compiled.unwrap_or_else(|e| panic!("decide failed: {e}"));
    let explanation = table
        .explain(ctx)
        .unwrap_or_else(|e| panic!("explain failed: {e}"));
    let explained = explanation
        .rules
        .last()
        .filter(|r| r.matched)
        .map(|r| r.rule.clone());
    assert_eq!(
        explained,
        compiled.as_ref().map(|c| c.0.clone()),
        "explain and decide disagree\n{}",
        source_text(table)
    );
    assert_eq!(explanation.decision.is_some(), compiled.is_some());
}

fn source_text(table: &CompiledTable) -> String {
    table
        .sources()
        .files()
        .map(|(_, f)| f.text().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// `decide`: compile the input's ruleset, with every index policy, and
/// decide each context with all of them, compiled and naive.
pub fn decide_target(input: &DecideInput) {
    let generated;
    let table = match &input.rules {
        Rules::Generated(desc) => {
            let src = desc.render();
            let Some(t) = compile_generated(&src) else {
                return;
            };
            generated = t;
            &generated
        }
        Rules::Corpus(i) => {
            let all = corpus();
            match all.get(usize::from(*i) % all.len().max(1)) {
                Some(t) => t,
                None => return,
            }
        }
    };
    let always = recompiled(table, IndexPolicy::Always);
    let never = recompiled(table, IndexPolicy::Never);
    for desc in input.contexts.iter().take(8) {
        let built: Vec<Option<Context>> = [table, &always, &never]
            .iter()
            .map(|t| build(t, desc))
            .collect();
        // The tables share a schema: a context is valid for all or none.
        assert!(
            built.iter().all(Option::is_some) || built.iter().all(Option::is_none),
            "a context is valid for one index policy only"
        );
        let [Some(c0), Some(c1), Some(c2)] = &built[..] else {
            continue;
        };
        agree(table, c0);
        agree(&always, c1);
        agree(&never, c2);
        let rule = |t: &CompiledTable, c: &Context| {
            t.decide(c)
                .ok()
                .flatten()
                .map(|d| (d.rule().to_string(), d.variant().map(str::to_string)))
        };
        let d0 = rule(table, c0);
        assert_eq!(d0, rule(&always, c1), "index policy Always disagrees");
        assert_eq!(d0, rule(&never, c2), "index policy Never disagrees");
        // A context belongs to the table that built it.
        assert_eq!(
            always.decide(c0).err(),
            Some(DecideError::ForeignContext),
            "a foreign context was accepted"
        );
    }
}

// ------------------------------------------------------------------ context_json

/// The table contexts are fuzzed against: the example policy.
fn example() -> &'static CompiledTable {
    static TABLE: OnceLock<CompiledTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        CompiledTable::from_source(include_str!("../../examples/openrouter.route"))
            .map(|(t, _)| t)
            .unwrap_or_else(|e| panic!("the example does not compile: {e}"))
    })
}

/// `context_json`: bytes to a context of the example policy (invalid
/// JSON, wrong types, NaN, huge numbers, deep nesting are all errors),
/// then decide, compare with the naive interpreter, and explain.
pub fn context_json_target(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let table = example();
    let Ok(ctx) = table.context_from_str(text) else {
        return;
    };
    agree(table, &ctx);
    if let Ok(Some(d)) = table.decide(&ctx) {
        let json = d.to_json();
        assert!(serde_json::to_string(&json).is_ok());
    }
}
