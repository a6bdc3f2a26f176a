//! A SOQL subset, parsed and evaluated against an [`ObjectStore`]:
//! `SELECT f, Rel.Field, COUNT() FROM Obj [WHERE ...] [WITH SECURITY_ENFORCED]
//! [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST], ...] [LIMIT n] [OFFSET n]`.
//! WHERE takes `= != <> < > <= >= LIKE IN NOT IN`, `IN (SELECT f FROM ...)`, AND/OR/NOT and
//! parentheses (AND and OR may not be mixed without parentheses, as in Salesforce); literals are
//! 'strings' with backslash escapes, numbers, dates, date-times, true/false/null. Keywords and
//! names are case-insensitive; string comparisons too (ids excepted), as in Salesforce.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use super::state::{FieldSchema, FieldType, ObjectSchema, ObjectStore, Record, SObjectTable};
use super::util;

/// A SOQL error: Salesforce error code and message.
#[derive(Clone, Debug, PartialEq)]
pub struct SoqlError {
    pub code: &'static str,
    pub message: String,
}

fn malformed(message: impl Into<String>) -> SoqlError {
    SoqlError {
        code: "MALFORMED_QUERY",
        message: message.into(),
    }
}

fn invalid_field(message: impl Into<String>) -> SoqlError {
    SoqlError {
        code: "INVALID_FIELD",
        message: message.into(),
    }
}

fn bad_filter(message: impl Into<String>) -> SoqlError {
    SoqlError {
        code: "INVALID_QUERY_FILTER_OPERATOR",
        message: message.into(),
    }
}

// ---------------------------------------------------------------------------------------------
// Syntax tree.

#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    pub select: Vec<SelectItem>,
    pub from: String,
    pub filter: Option<Expr>,
    pub order_by: Vec<OrderItem>,
    pub limit: Option<usize>,
    pub offset: Option<usize>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SelectItem {
    /// A field or a relationship path, split on dots.
    Field(Vec<String>),
    /// `COUNT()`: only the number of rows.
    CountAll,
    /// `COUNT(field) [alias]`: an aggregate row.
    Count {
        field: Vec<String>,
        alias: Option<String>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    Cmp {
        field: Vec<String>,
        op: CmpOp,
        value: Literal,
    },
    In {
        field: Vec<String>,
        negated: bool,
        values: InValues,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum InValues {
    List(Vec<Literal>),
    SubQuery(Box<Query>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    Like,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Date(String),
    DateTime(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct OrderItem {
    pub field: Vec<String>,
    pub descending: bool,
    pub nulls_last: bool,
}

// ---------------------------------------------------------------------------------------------
// Lexer.

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num(String),
    Date(String),
    DateTime(String),
    LParen,
    RParen,
    Comma,
    Op(&'static str),
    Colon,
    Eof,
}

impl Tok {
    fn show(&self) -> String {
        match self {
            Tok::Ident(s) | Tok::Num(s) | Tok::Date(s) | Tok::DateTime(s) => s.clone(),
            Tok::Str(s) => format!("'{s}'"),
            Tok::LParen => "(".into(),
            Tok::RParen => ")".into(),
            Tok::Comma => ",".into(),
            Tok::Op(o) => (*o).into(),
            Tok::Colon => ":".into(),
            Tok::Eof => "<EOF>".into(),
        }
    }
}

fn lex(src: &str) -> Result<Vec<(Tok, usize)>, SoqlError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let tok = match c {
            '(' => {
                i += 1;
                Tok::LParen
            }
            ')' => {
                i += 1;
                Tok::RParen
            }
            ',' => {
                i += 1;
                Tok::Comma
            }
            ':' => {
                i += 1;
                Tok::Colon
            }
            '=' => {
                i += 1;
                Tok::Op("=")
            }
            '!' if chars.get(i + 1) == Some(&'=') => {
                i += 2;
                Tok::Op("!=")
            }
            '<' => match chars.get(i + 1) {
                Some('=') => {
                    i += 2;
                    Tok::Op("<=")
                }
                Some('>') => {
                    i += 2;
                    Tok::Op("!=")
                }
                _ => {
                    i += 1;
                    Tok::Op("<")
                }
            },
            '>' => {
                if chars.get(i + 1) == Some(&'=') {
                    i += 2;
                    Tok::Op(">=")
                } else {
                    i += 1;
                    Tok::Op(">")
                }
            }
            '\'' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => {
                            return Err(malformed(format!(
                                "unterminated string literal starting at column {col}"
                            )));
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some('\\') => {
                            let e = chars.get(i + 1).copied().ok_or_else(|| {
                                malformed(format!(
                                    "unterminated string literal starting at column {col}"
                                ))
                            })?;
                            match e {
                                'n' => s.push('\n'),
                                'r' => s.push('\r'),
                                't' => s.push('\t'),
                                'b' => s.push('\u{8}'),
                                'f' => s.push('\u{c}'),
                                '\'' | '"' | '\\' => s.push(e),
                                // Kept for LIKE, where they match a literal % or _.
                                '%' | '_' => {
                                    s.push('\\');
                                    s.push(e);
                                }
                                'u' => {
                                    let hex: String = chars.iter().skip(i + 2).take(4).collect();
                                    let ch = u32::from_str_radix(&hex, 16)
                                        .ok()
                                        .and_then(char::from_u32)
                                        .ok_or_else(|| {
                                            malformed("Invalid string literal: bad \\u escape")
                                        })?;
                                    s.push(ch);
                                    i += 4;
                                }
                                _ => {
                                    return Err(malformed(format!(
                                        "Invalid string literal: illegal escape sequence \\{e} at column {}",
                                        i + 1
                                    )));
                                }
                            }
                            i += 2;
                        }
                        Some(&ch) => {
                            s.push(ch);
                            i += 1;
                        }
                    }
                }
                Tok::Str(s)
            }
            c if c.is_ascii_digit()
                || ((c == '-' || c == '+')
                    && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit())) =>
            {
                let start = i;
                if !c.is_ascii_digit() {
                    i += 1;
                }
                let digits_start = i;
                while chars.get(i).is_some_and(|d| d.is_ascii_digit()) {
                    i += 1;
                }
                if i - digits_start == 4 && start == digits_start && chars.get(i) == Some(&'-') {
                    // A date, maybe a date-time.
                    let end = (i + 6).min(chars.len());
                    i = end;
                    let date: String = chars[start..i].iter().collect();
                    if util::parse_date(&date).is_none() {
                        return Err(malformed(format!(
                            "invalid date literal {date} at column {col}"
                        )));
                    }
                    if chars.get(i) == Some(&'T') {
                        while chars
                            .get(i)
                            .is_some_and(|d| d.is_ascii_digit() || ":.+-TZ".contains(*d))
                        {
                            i += 1;
                        }
                        let dt: String = chars[start..i].iter().collect();
                        if util::parse_datetime(&dt).is_none() {
                            return Err(malformed(format!(
                                "invalid date-time literal {dt} at column {col}"
                            )));
                        }
                        Tok::DateTime(dt)
                    } else {
                        Tok::Date(date)
                    }
                } else {
                    if chars.get(i) == Some(&'.') {
                        i += 1;
                        while chars.get(i).is_some_and(|d| d.is_ascii_digit()) {
                            i += 1;
                        }
                    }
                    Tok::Num(chars[start..i].iter().collect())
                }
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let start = i;
                while chars
                    .get(i)
                    .is_some_and(|d| d.is_ascii_alphanumeric() || *d == '_' || *d == '.')
                {
                    i += 1;
                }
                Tok::Ident(chars[start..i].iter().collect())
            }
            other => {
                return Err(malformed(format!(
                    "unexpected character '{other}' at column {col}"
                )));
            }
        };
        out.push((tok, col));
    }
    out.push((Tok::Eof, chars.len() + 1));
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Parser.

const RESERVED: &[&str] = &[
    "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "ORDER", "BY", "LIMIT", "OFFSET",
    "GROUP", "HAVING", "WITH", "NULL", "TRUE", "FALSE", "ASC", "DESC", "NULLS", "FIRST", "LAST",
    "INCLUDES", "EXCLUDES", "FOR", "USING",
];

struct Parser {
    toks: Vec<(Tok, usize)>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.toks[self.pos].0
    }

    fn peek_at(&self, n: usize) -> &Tok {
        let i = (self.pos + n).min(self.toks.len() - 1);
        &self.toks[i].0
    }

    fn bump(&mut self) -> Tok {
        let t = self.toks[self.pos].0.clone();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }

    fn unexpected(&self) -> SoqlError {
        let (tok, col) = &self.toks[self.pos];
        malformed(format!(
            "unexpected token: {} (ERROR at Row:1:Column:{col})",
            tok.show()
        ))
    }

    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.peek(), Tok::Ident(s) if s.eq_ignore_ascii_case(kw))
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        if self.is_kw(kw) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn expect_kw(&mut self, kw: &str) -> Result<(), SoqlError> {
        if self.eat_kw(kw) {
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    fn expect(&mut self, t: Tok) -> Result<(), SoqlError> {
        if *self.peek() == t {
            self.bump();
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    /// A field path (not a reserved word).
    fn path(&mut self) -> Result<Vec<String>, SoqlError> {
        match self.peek() {
            Tok::Ident(s)
                if !RESERVED.iter().any(|k| k.eq_ignore_ascii_case(s))
                    && !s.starts_with('.')
                    && !s.ends_with('.')
                    && !s.contains("..") =>
            {
                let p = s.split('.').map(str::to_string).collect();
                self.bump();
                Ok(p)
            }
            _ => Err(self.unexpected()),
        }
    }

    fn unsigned(&mut self) -> Result<usize, SoqlError> {
        match self.peek().clone() {
            Tok::Num(n) => {
                let v = n.parse::<usize>().map_err(|_| self.unexpected())?;
                self.bump();
                Ok(v)
            }
            _ => Err(self.unexpected()),
        }
    }

    fn query(&mut self, nested: bool) -> Result<Query, SoqlError> {
        self.expect_kw("SELECT")?;
        let mut select = Vec::new();
        loop {
            select.push(self.select_item()?);
            if *self.peek() == Tok::Comma {
                self.bump();
            } else {
                break;
            }
        }
        self.expect_kw("FROM")?;
        let from = match self.path()?.as_slice() {
            [one] => one.clone(),
            _ => return Err(malformed("the FROM clause names one object")),
        };
        let mut q = Query {
            select,
            from,
            filter: None,
            order_by: Vec::new(),
            limit: None,
            offset: None,
        };
        if self.eat_kw("WHERE") {
            q.filter = Some(self.condition()?);
        }
        if self.eat_kw("WITH") {
            match self.bump() {
                Tok::Ident(s)
                    if ["SECURITY_ENFORCED", "USER_MODE", "SYSTEM_MODE"]
                        .iter()
                        .any(|k| k.eq_ignore_ascii_case(&s)) => {}
                _ => {
                    self.pos -= 1;
                    return Err(self.unexpected());
                }
            }
        }
        if self.is_kw("GROUP") || self.is_kw("HAVING") {
            return Err(malformed(
                "GROUP BY and HAVING are not supported by the org emulator",
            ));
        }
        if self.eat_kw("ORDER") {
            self.expect_kw("BY")?;
            loop {
                let field = self.path()?;
                let descending = if self.eat_kw("DESC") {
                    true
                } else {
                    self.eat_kw("ASC");
                    false
                };
                let mut nulls_last = descending;
                if self.eat_kw("NULLS") {
                    if self.eat_kw("FIRST") {
                        nulls_last = false;
                    } else {
                        self.expect_kw("LAST")?;
                        nulls_last = true;
                    }
                }
                q.order_by.push(OrderItem {
                    field,
                    descending,
                    nulls_last,
                });
                if *self.peek() == Tok::Comma {
                    self.bump();
                } else {
                    break;
                }
            }
        }
        if self.eat_kw("LIMIT") {
            q.limit = Some(self.unsigned()?);
        }
        if self.eat_kw("OFFSET") {
            q.offset = Some(self.unsigned()?);
        }
        let end_ok = if nested {
            *self.peek() == Tok::RParen
        } else {
            *self.peek() == Tok::Eof
        };
        if !end_ok {
            return Err(self.unexpected());
        }
        Ok(q)
    }

    fn select_item(&mut self) -> Result<SelectItem, SoqlError> {
        if *self.peek() == Tok::LParen {
            return Err(malformed(
                "relationship subqueries in SELECT are not supported by the org emulator",
            ));
        }
        if self.is_kw("COUNT") && *self.peek_at(1) == Tok::LParen {
            self.bump();
            self.bump();
            if *self.peek() == Tok::RParen {
                self.bump();
                return Ok(SelectItem::CountAll);
            }
            let field = self.path()?;
            self.expect(Tok::RParen)?;
            let alias = match self.peek() {
                Tok::Ident(s) if !RESERVED.iter().any(|k| k.eq_ignore_ascii_case(s)) => {
                    let a = s.clone();
                    self.bump();
                    Some(a)
                }
                _ => None,
            };
            return Ok(SelectItem::Count { field, alias });
        }
        if matches!(self.peek(), Tok::Ident(_)) && *self.peek_at(1) == Tok::LParen {
            return Err(malformed(format!(
                "function {} is not supported by the org emulator",
                self.peek().show()
            )));
        }
        Ok(SelectItem::Field(self.path()?))
    }

    /// Conditions joined by AND or by OR (not both without parentheses).
    fn condition(&mut self) -> Result<Expr, SoqlError> {
        let first = self.unary()?;
        let mut items = vec![first];
        let mut joiner: Option<&'static str> = None;
        loop {
            let j = if self.is_kw("AND") {
                "AND"
            } else if self.is_kw("OR") {
                "OR"
            } else {
                break;
            };
            if joiner.is_some_and(|prev| prev != j) {
                return Err(self.unexpected());
            }
            joiner = Some(j);
            self.bump();
            items.push(self.unary()?);
        }
        Ok(match joiner {
            None => items.pop().expect("one item"),
            Some("AND") => Expr::And(items),
            Some(_) => Expr::Or(items),
        })
    }

    fn unary(&mut self) -> Result<Expr, SoqlError> {
        if self.eat_kw("NOT") {
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if *self.peek() == Tok::LParen {
            self.bump();
            let e = self.condition()?;
            self.expect(Tok::RParen)?;
            return Ok(e);
        }
        self.simple()
    }

    fn simple(&mut self) -> Result<Expr, SoqlError> {
        let field = self.path()?;
        if self.is_kw("INCLUDES") || self.is_kw("EXCLUDES") {
            return Err(malformed(
                "INCLUDES and EXCLUDES are not supported by the org emulator",
            ));
        }
        let negated = if self.is_kw("NOT")
            && matches!(self.peek_at(1), Tok::Ident(s) if s.eq_ignore_ascii_case("IN"))
        {
            self.bump();
            true
        } else {
            false
        };
        if self.eat_kw("IN") {
            self.expect(Tok::LParen)?;
            let values = if self.is_kw("SELECT") {
                let q = self.query(true)?;
                InValues::SubQuery(Box::new(q))
            } else {
                let mut list = vec![self.literal()?];
                while *self.peek() == Tok::Comma {
                    self.bump();
                    list.push(self.literal()?);
                }
                InValues::List(list)
            };
            self.expect(Tok::RParen)?;
            return Ok(Expr::In {
                field,
                negated,
                values,
            });
        }
        if negated {
            return Err(self.unexpected());
        }
        let op = if self.eat_kw("LIKE") {
            CmpOp::Like
        } else {
            match self.peek() {
                Tok::Op("=") => CmpOp::Eq,
                Tok::Op("!=") => CmpOp::Ne,
                Tok::Op("<") => CmpOp::Lt,
                Tok::Op(">") => CmpOp::Gt,
                Tok::Op("<=") => CmpOp::Le,
                Tok::Op(">=") => CmpOp::Ge,
                _ => return Err(self.unexpected()),
            }
        };
        if op != CmpOp::Like {
            self.bump();
        }
        let value = self.literal()?;
        Ok(Expr::Cmp { field, op, value })
    }

    fn literal(&mut self) -> Result<Literal, SoqlError> {
        let lit = match self.peek().clone() {
            Tok::Str(s) => Literal::String(s),
            Tok::Num(n) => Literal::Number(n.parse().map_err(|_| self.unexpected())?),
            Tok::Date(d) => Literal::Date(d),
            Tok::DateTime(d) => Literal::DateTime(d),
            Tok::Ident(s) if s.eq_ignore_ascii_case("null") => Literal::Null,
            Tok::Ident(s) if s.eq_ignore_ascii_case("true") => Literal::Bool(true),
            Tok::Ident(s) if s.eq_ignore_ascii_case("false") => Literal::Bool(false),
            Tok::Ident(s) if s.chars().all(|c| c.is_ascii_uppercase() || c == '_') => {
                return Err(malformed(format!(
                    "date literal {s} is not supported by the org emulator"
                )));
            }
            Tok::Colon => {
                return Err(malformed(
                    "bind variables are not supported in the REST API",
                ));
            }
            _ => return Err(self.unexpected()),
        };
        self.bump();
        Ok(lit)
    }
}

/// Parses one SOQL query.
pub fn parse(src: &str) -> Result<Query, SoqlError> {
    let toks = lex(src)?;
    let mut p = Parser { toks, pos: 0 };
    p.query(false)
}

// ---------------------------------------------------------------------------------------------
// Evaluation.

/// Where queries run: the store queried, another store for relationship targets (Tooling
/// objects pointing at `User`), and the `.../sobjects` URL of each for `attributes.url`.
pub struct Env<'a> {
    pub store: &'a ObjectStore,
    pub sobjects_url: String,
    pub fallback: Option<(&'a ObjectStore, String)>,
}

impl<'a> Env<'a> {
    fn table(&self, name: &str) -> Option<&'a SObjectTable> {
        self.store
            .table(name)
            .or_else(|| self.fallback.as_ref().and_then(|(s, _)| s.table(name)))
    }

    fn find(&self, targets: &[String], id: &str) -> Option<(&'a SObjectTable, &'a Record, &str)> {
        if let Some((t, r)) = self.store.find(targets, id) {
            return Some((t, r, &self.sobjects_url));
        }
        let (s, url) = self.fallback.as_ref()?;
        let (t, r) = s.find(targets, id)?;
        Some((t, r, url.as_str()))
    }
}

/// A field path checked against the schema.
#[derive(Clone, Debug)]
struct Resolved {
    /// Each hop: lookup field, relationship name (as the schema spells them), target objects.
    hops: Vec<(String, String, Vec<String>)>,
    field: FieldSchema,
}

impl Resolved {
    fn label(&self) -> String {
        let mut parts: Vec<&str> = self.hops.iter().map(|h| h.1.as_str()).collect();
        parts.push(&self.field.name);
        parts.join(".")
    }
}

fn resolve(env: &Env, object: &ObjectSchema, path: &[String]) -> Result<Resolved, SoqlError> {
    let mut schemas: Vec<&ObjectSchema> = vec![object];
    let mut hops = Vec::new();
    let (last, rels) = path
        .split_last()
        .ok_or_else(|| malformed("empty field path"))?;
    for rel in rels {
        let lookup = schemas
            .iter()
            .find_map(|s| s.relationship(rel))
            .ok_or_else(|| {
                invalid_field(format!(
                    "Didn't understand relationship '{rel}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names."
                ))
            })?;
        let targets: Vec<&ObjectSchema> = lookup
            .reference_to
            .iter()
            .filter_map(|t| env.table(t).map(|t| &t.schema))
            .collect();
        if targets.is_empty() {
            return Err(invalid_field(format!(
                "Didn't understand relationship '{rel}' in field path."
            )));
        }
        hops.push((
            lookup.name.clone(),
            lookup.relationship_name.clone().unwrap_or_default(),
            lookup.reference_to.clone(),
        ));
        schemas = targets;
    }
    let field = schemas.iter().find_map(|s| s.field(last)).ok_or_else(|| {
        let entity = schemas.first().map(|s| s.name.as_str()).unwrap_or("");
        invalid_field(format!(
            "No such column '{last}' on entity '{entity}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names."
        ))
    })?;
    Ok(Resolved {
        hops,
        field: field.clone(),
    })
}

fn value_of(env: &Env, record: &Record, r: &Resolved) -> Value {
    let mut cur = record;
    for (lookup, _, targets) in &r.hops {
        let Some(id) = cur.get(lookup).and_then(Value::as_str) else {
            return Value::Null;
        };
        match env.find(targets, id) {
            Some((_, next, _)) => cur = next,
            None => return Value::Null,
        }
    }
    cur.get(&r.field.name).cloned().unwrap_or(Value::Null)
}

fn attributes(object: &str, id: Option<&str>, sobjects_url: &str) -> Value {
    let mut m = Map::new();
    m.insert("type".into(), object.into());
    if let Some(id) = id {
        m.insert("url".into(), format!("{sobjects_url}/{object}/{id}").into());
    }
    Value::Object(m)
}

/// Writes the value of `r` for `record` into `out`, nesting relationships as Salesforce does.
fn project(env: &Env, record: &Record, r: &Resolved, out: &mut Map<String, Value>) {
    let mut cur = record;
    let mut slot = out;
    for (lookup, rel, targets) in &r.hops {
        if !slot.contains_key(rel) {
            let found = cur
                .get(lookup)
                .and_then(Value::as_str)
                .and_then(|id| env.find(targets, id));
            let v = match found {
                Some((t, rec, url)) => {
                    let mut m = Map::new();
                    m.insert(
                        "attributes".into(),
                        attributes(&t.schema.name, rec.get("Id").and_then(Value::as_str), url),
                    );
                    Value::Object(m)
                }
                None => Value::Null,
            };
            slot.insert(rel.clone(), v);
        }
        let Some(Value::Object(next_slot)) = slot.get_mut(rel) else {
            return;
        };
        let id = cur.get(lookup).and_then(Value::as_str).unwrap_or_default();
        let Some((_, rec, _)) = env.find(targets, id) else {
            return;
        };
        cur = rec;
        slot = next_slot;
    }
    let v = cur.get(&r.field.name).cloned().unwrap_or(Value::Null);
    slot.insert(r.field.name.clone(), v);
}

/// The checked form of a WHERE clause.
enum Cond {
    And(Vec<Cond>),
    Or(Vec<Cond>),
    Not(Box<Cond>),
    Cmp(Resolved, CmpOp, Literal),
    In(Resolved, bool, Vec<Literal>),
}

fn type_name(ft: FieldType) -> &'static str {
    match ft {
        FieldType::Boolean => "boolean",
        FieldType::Int => "integer",
        FieldType::Double | FieldType::Currency | FieldType::Percent => "double",
        FieldType::Date => "date",
        FieldType::DateTime => "dateTime",
        FieldType::Id | FieldType::Reference => "id",
        _ => "string",
    }
}

fn check_literal(r: &Resolved, op: CmpOp, lit: &Literal) -> Result<(), SoqlError> {
    let ft = r.field.field_type;
    let name = r.label();
    if op == CmpOp::Like && !(ft.is_text() || ft.is_id()) {
        return Err(bad_filter(format!(
            "invalid operator on {} field: {name}",
            type_name(ft)
        )));
    }
    if ft == FieldType::Boolean && !matches!(op, CmpOp::Eq | CmpOp::Ne) {
        return Err(bad_filter(format!(
            "invalid operator on boolean field: {name}"
        )));
    }
    let quoted_ok = ft.is_text() || ft.is_id();
    let fits = match lit {
        Literal::Null => op != CmpOp::Like,
        Literal::String(s) => {
            if ft.is_id() && op != CmpOp::Like && util::to_id18(s).is_none() {
                return Err(bad_filter(format!("invalid ID field: {s}")));
            }
            quoted_ok
        }
        Literal::Bool(_) => ft == FieldType::Boolean,
        Literal::Number(_) => ft.is_number(),
        Literal::Date(_) => ft == FieldType::Date,
        Literal::DateTime(_) => ft == FieldType::DateTime,
    };
    if fits {
        Ok(())
    } else if quoted_ok {
        Err(bad_filter(format!(
            "value of filter criterion for field '{name}' must be of type {} and should be enclosed in quotes",
            type_name(ft)
        )))
    } else {
        Err(bad_filter(format!(
            "value of filter criterion for field '{name}' must be of type {} and should not be enclosed in quotes",
            type_name(ft)
        )))
    }
}

/// A field in WHERE must be filterable: one whose object reference properties lack "Filter"
/// (the Tooling API `Profile`'s `FullName`: "Create, Group, Nillable") is refused as Salesforce
/// refuses it, `INVALID_FIELD` "field 'FullName' can not be filtered in query call".
fn filterable(r: Resolved) -> Result<Resolved, SoqlError> {
    if r.field.filterable {
        return Ok(r);
    }
    Err(invalid_field(format!(
        "field '{}' can not be filtered in query call",
        r.field.name
    )))
}

fn check_expr(env: &Env, object: &ObjectSchema, e: &Expr) -> Result<Cond, SoqlError> {
    Ok(match e {
        Expr::And(items) => Cond::And(
            items
                .iter()
                .map(|i| check_expr(env, object, i))
                .collect::<Result<_, _>>()?,
        ),
        Expr::Or(items) => Cond::Or(
            items
                .iter()
                .map(|i| check_expr(env, object, i))
                .collect::<Result<_, _>>()?,
        ),
        Expr::Not(inner) => Cond::Not(Box::new(check_expr(env, object, inner)?)),
        Expr::Cmp { field, op, value } => {
            let r = filterable(resolve(env, object, field)?)?;
            check_literal(&r, *op, value)?;
            Cond::Cmp(r, *op, value.clone())
        }
        Expr::In {
            field,
            negated,
            values,
        } => {
            let r = filterable(resolve(env, object, field)?)?;
            let list = match values {
                InValues::List(l) => {
                    for lit in l {
                        check_literal(&r, CmpOp::Eq, lit)?;
                    }
                    l.clone()
                }
                InValues::SubQuery(q) => semi_join(env, q)?,
            };
            Cond::In(r, *negated, list)
        }
    })
}

/// The values of the one field a semi-join subquery selects.
fn semi_join(env: &Env, q: &Query) -> Result<Vec<Literal>, SoqlError> {
    let [SelectItem::Field(path)] = q.select.as_slice() else {
        return Err(malformed("a semi-join subquery selects exactly one field"));
    };
    let table = env
        .store
        .table(&q.from)
        .ok_or_else(|| invalid_type(&q.from))?;
    let r = resolve(env, &table.schema, path)?;
    let rows = matching(env, table, q)?;
    Ok(rows
        .into_iter()
        .filter_map(|rec| match value_of(env, rec, &r) {
            Value::String(s) => Some(Literal::String(s)),
            _ => None,
        })
        .collect())
}

fn invalid_type(name: &str) -> SoqlError {
    SoqlError {
        code: "INVALID_TYPE",
        message: format!(
            "sObject type '{name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names."
        ),
    }
}

fn compare(ft: FieldType, v: &Value, lit: &Literal) -> Option<Ordering> {
    match lit {
        Literal::Null => None,
        Literal::Bool(b) => Some(v.as_bool()?.cmp(b)),
        Literal::Number(n) => v.as_f64()?.partial_cmp(n),
        Literal::String(s) => {
            let vs = v.as_str()?;
            if ft.is_id() {
                let l = util::to_id18(s).unwrap_or_else(|| s.clone());
                Some(vs.cmp(l.as_str()))
            } else {
                Some(vs.to_lowercase().cmp(&s.to_lowercase()))
            }
        }
        Literal::Date(d) => Some(v.as_str()?.get(..10)?.cmp(d.as_str())),
        Literal::DateTime(d) => {
            Some(util::parse_datetime(v.as_str()?)?.cmp(&util::parse_datetime(d)?))
        }
    }
}

fn equals(ft: FieldType, v: &Value, lit: &Literal) -> bool {
    match lit {
        Literal::Null => v.is_null(),
        _ => compare(ft, v, lit) == Some(Ordering::Equal),
    }
}

/// SOQL LIKE: `%` any run, `_` one character, `\%` and `\_` literal; case-insensitive.
pub fn like(text: &str, pattern: &str) -> bool {
    #[derive(Clone, Copy, PartialEq)]
    enum P {
        Any,
        One,
        Ch(char),
    }
    let mut pat = Vec::new();
    let mut it = pattern.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '%' => pat.push(P::Any),
            '_' => pat.push(P::One),
            '\\' if matches!(it.peek(), Some('%') | Some('_')) => {
                pat.push(P::Ch(it.next().unwrap_or('\\')))
            }
            c => pat.extend(c.to_lowercase().map(P::Ch)),
        }
    }
    let t: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    // dp[j]: pattern[..i] matches t[..j]
    let mut dp = vec![false; t.len() + 1];
    dp[0] = true;
    for p in &pat {
        let mut next = vec![false; t.len() + 1];
        match p {
            P::Any => {
                let mut seen = false;
                for j in 0..=t.len() {
                    seen |= dp[j];
                    next[j] = seen;
                }
            }
            P::One => {
                next[1..].copy_from_slice(&dp[..t.len()]);
            }
            P::Ch(c) => {
                for j in 1..=t.len() {
                    next[j] = dp[j - 1] && t[j - 1] == *c;
                }
            }
        }
        dp = next;
    }
    dp[t.len()]
}

fn eval(env: &Env, rec: &Record, c: &Cond) -> bool {
    match c {
        Cond::And(items) => items.iter().all(|i| eval(env, rec, i)),
        Cond::Or(items) => items.iter().any(|i| eval(env, rec, i)),
        Cond::Not(inner) => !eval(env, rec, inner),
        Cond::Cmp(r, op, lit) => {
            let v = value_of(env, rec, r);
            let ft = r.field.field_type;
            match op {
                CmpOp::Eq => equals(ft, &v, lit),
                CmpOp::Ne => !equals(ft, &v, lit),
                CmpOp::Like => match (&v, lit) {
                    (Value::String(s), Literal::String(p)) => like(s, p),
                    _ => false,
                },
                _ => {
                    if v.is_null() {
                        return false;
                    }
                    match compare(ft, &v, lit) {
                        Some(o) => match op {
                            CmpOp::Lt => o == Ordering::Less,
                            CmpOp::Gt => o == Ordering::Greater,
                            CmpOp::Le => o != Ordering::Greater,
                            CmpOp::Ge => o != Ordering::Less,
                            _ => false,
                        },
                        None => false,
                    }
                }
            }
        }
        Cond::In(r, negated, list) => {
            let v = value_of(env, rec, r);
            let hit = list.iter().any(|l| equals(r.field.field_type, &v, l));
            hit != *negated
        }
    }
}

fn order_values(ft: FieldType, a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::String(x), Value::String(y)) => {
            if ft == FieldType::DateTime
                && let (Some(p), Some(q)) = (util::parse_datetime(x), util::parse_datetime(y))
            {
                return p.cmp(&q);
            }
            if ft.is_id() {
                x.cmp(y)
            } else {
                x.to_lowercase().cmp(&y.to_lowercase())
            }
        }
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => Ordering::Equal,
    }
}

/// Rows of `table` matching the query's WHERE, sorted, with OFFSET and LIMIT applied.
fn matching<'a>(
    env: &Env<'a>,
    table: &'a SObjectTable,
    q: &Query,
) -> Result<Vec<&'a Record>, SoqlError> {
    let cond = q
        .filter
        .as_ref()
        .map(|f| check_expr(env, &table.schema, f))
        .transpose()?;
    let order: Vec<(Resolved, &OrderItem)> = q
        .order_by
        .iter()
        .map(|o| {
            let r = resolve(env, &table.schema, &o.field)?;
            if !r.field.sortable {
                return Err(invalid_field(format!(
                    "field '{}' can not be sorted in a query call",
                    r.field.name
                )));
            }
            Ok((r, o))
        })
        .collect::<Result<_, _>>()?;
    let mut rows: Vec<&Record> = table
        .records
        .iter()
        .filter(|r| cond.as_ref().is_none_or(|c| eval(env, r, c)))
        .collect();
    if !order.is_empty() {
        let keyed: Vec<(Vec<Value>, &Record)> = rows
            .iter()
            .map(|r| {
                (
                    order.iter().map(|(res, _)| value_of(env, r, res)).collect(),
                    *r,
                )
            })
            .collect();
        let mut keyed = keyed;
        keyed.sort_by(|(a, _), (b, _)| {
            for (i, (res, o)) in order.iter().enumerate() {
                let (x, y) = (&a[i], &b[i]);
                let ord = match (x.is_null(), y.is_null()) {
                    (true, true) => Ordering::Equal,
                    (true, false) => {
                        if o.nulls_last {
                            Ordering::Greater
                        } else {
                            Ordering::Less
                        }
                    }
                    (false, true) => {
                        if o.nulls_last {
                            Ordering::Less
                        } else {
                            Ordering::Greater
                        }
                    }
                    (false, false) => {
                        let ord = order_values(res.field.field_type, x, y);
                        if o.descending { ord.reverse() } else { ord }
                    }
                };
                if ord != Ordering::Equal {
                    return ord;
                }
            }
            Ordering::Equal
        });
        rows = keyed.into_iter().map(|(_, r)| r).collect();
    }
    let offset = q.offset.unwrap_or(0);
    let rows: Vec<&Record> = rows
        .into_iter()
        .skip(offset)
        .take(q.limit.unwrap_or(usize::MAX))
        .collect();
    Ok(rows)
}

/// What a query returns before paging.
#[derive(Clone, Debug, PartialEq)]
pub struct QueryOutput {
    /// The queried object, as the schema spells it.
    pub object: String,
    pub total_size: usize,
    pub records: Vec<Value>,
}

/// Runs a parsed query.
pub fn execute(env: &Env, q: &Query) -> Result<QueryOutput, SoqlError> {
    let table = env
        .store
        .table(&q.from)
        .ok_or_else(|| invalid_type(&q.from))?;
    let object = table.schema.name.clone();
    let counts_all = q.select.contains(&SelectItem::CountAll);
    let aggregate = q
        .select
        .iter()
        .any(|s| matches!(s, SelectItem::Count { .. }));
    if (counts_all || aggregate) && q.select.len() > 1 {
        return Err(malformed(
            "COUNT() and COUNT(field) cannot be combined with other fields (GROUP BY is not supported)",
        ));
    }
    let mut fields = Vec::new();
    for item in &q.select {
        if let SelectItem::Field(path) = item {
            let r = resolve(env, &table.schema, path)?;
            let label = r.label().to_lowercase();
            if fields
                .iter()
                .any(|f: &Resolved| f.label().to_lowercase() == label)
            {
                return Err(malformed(format!(
                    "duplicate field selected: {}",
                    r.label()
                )));
            }
            fields.push(r);
        }
    }
    let rows = matching(env, table, q)?;
    if counts_all {
        return Ok(QueryOutput {
            object,
            total_size: rows.len(),
            records: Vec::new(),
        });
    }
    if let Some(SelectItem::Count { field, alias }) = q.select.first() {
        let r = resolve(env, &table.schema, field)?;
        let n = rows
            .iter()
            .filter(|rec| !value_of(env, rec, &r).is_null())
            .count();
        let mut m = Map::new();
        m.insert("attributes".into(), attributes("AggregateResult", None, ""));
        m.insert(alias.clone().unwrap_or_else(|| "expr0".into()), n.into());
        return Ok(QueryOutput {
            object,
            total_size: 1,
            records: vec![Value::Object(m)],
        });
    }
    let records: Vec<Value> = rows
        .iter()
        .map(|rec| {
            let mut out = Map::new();
            out.insert(
                "attributes".into(),
                attributes(
                    &object,
                    rec.get("Id").and_then(Value::as_str),
                    &env.sobjects_url,
                ),
            );
            for r in &fields {
                project(env, rec, r, &mut out);
            }
            Value::Object(out)
        })
        .collect();
    Ok(QueryOutput {
        object,
        total_size: records.len(),
        records,
    })
}

/// Parses and runs.
pub fn query(env: &Env, src: &str) -> Result<QueryOutput, SoqlError> {
    execute(env, &parse(src)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Seed;
    use crate::state::OrgState;
    use serde_json::json;

    fn run(state: &OrgState, src: &str) -> Result<QueryOutput, SoqlError> {
        let env = Env {
            store: &state.data,
            sobjects_url: "/services/data/v62.0/sobjects".into(),
            fallback: None,
        };
        query(&env, src)
    }

    fn run_tooling(state: &OrgState, src: &str) -> Result<QueryOutput, SoqlError> {
        let env = Env {
            store: &state.tooling,
            sobjects_url: "/services/data/v62.0/tooling/sobjects".into(),
            fallback: Some((&state.data, "/services/data/v62.0/sobjects".into())),
        };
        query(&env, src)
    }

    fn names(out: &QueryOutput, field: &str) -> Vec<String> {
        out.records
            .iter()
            .map(|r| r[field].as_str().unwrap_or("<null>").to_string())
            .collect()
    }

    fn sandbox() -> OrgState {
        OrgState::new(Seed::RefreshedSandbox)
    }

    #[test]
    fn parses_the_grammar() {
        let q = parse(
            "select Id, Profile.Name FROM User where (IsActive = TRUE and Name like 'J%') or not Email != null \
             order by Name desc nulls last, Id LIMIT 5 offset 1",
        )
        .unwrap();
        assert_eq!(q.from, "User");
        assert_eq!(
            q.select[1],
            SelectItem::Field(vec!["Profile".into(), "Name".into()])
        );
        assert_eq!(q.limit, Some(5));
        assert_eq!(q.offset, Some(1));
        assert!(q.order_by[0].descending && q.order_by[0].nulls_last);
        assert!(!q.order_by[1].descending && !q.order_by[1].nulls_last);
        assert!(matches!(q.filter, Some(Expr::Or(ref v)) if v.len() == 2));
        let q = parse("SELECT Id FROM X WHERE A = 'it\\'s \\\\ \\n' AND B IN (1, -2.5) AND C NOT IN ('a') AND D >= 2026-01-01T00:00:00Z AND E < 2026-01-02").unwrap();
        let Some(Expr::And(items)) = q.filter else {
            panic!()
        };
        assert_eq!(
            items[0],
            Expr::Cmp {
                field: vec!["A".into()],
                op: CmpOp::Eq,
                value: Literal::String("it's \\ \n".into())
            }
        );
        assert!(
            matches!(&items[1], Expr::In { negated: false, values: InValues::List(l), .. } if l[1] == Literal::Number(-2.5))
        );
        assert!(matches!(&items[2], Expr::In { negated: true, .. }));
        assert!(matches!(
            &items[3],
            Expr::Cmp {
                op: CmpOp::Ge,
                value: Literal::DateTime(_),
                ..
            }
        ));
        assert!(matches!(
            &items[4],
            Expr::Cmp {
                op: CmpOp::Lt,
                value: Literal::Date(_),
                ..
            }
        ));
    }

    #[test]
    fn syntax_errors_are_malformed_query() {
        for bad in [
            "",
            "SELECT FROM User",
            "SELECT Id User",
            "SELECT Id FROM User WHERE",
            "SELECT Id FROM User WHERE Name = 'x' AND Id = 'y' OR Id = 'z'",
            "SELECT Id FROM User WHERE Name = 'unterminated",
            "SELECT Id FROM User LIMIT x",
            "SELECT Id FROM User WHERE CreatedDate = TODAY",
            "SELECT Id, Id FROM User",
            "SELECT Id FROM User GROUP BY Id",
            "SELECT Id FROM User extra",
        ] {
            let err = run(&sandbox(), bad).unwrap_err();
            assert_eq!(err.code, "MALFORMED_QUERY", "{bad}: {err:?}");
        }
    }

    #[test]
    fn unknown_objects_and_fields() {
        let s = sandbox();
        assert_eq!(
            run(&s, "SELECT Id FROM Nope__c").unwrap_err().code,
            "INVALID_TYPE"
        );
        assert_eq!(
            run(&s, "SELECT Id FROM ScratchOrgInfo limit 1")
                .unwrap_err()
                .code,
            "INVALID_TYPE"
        );
        let e = run(&s, "SELECT Bogus FROM User").unwrap_err();
        assert_eq!(e.code, "INVALID_FIELD");
        assert!(
            e.message
                .contains("No such column 'Bogus' on entity 'User'")
        );
        assert_eq!(
            run(&s, "SELECT Nope.Name FROM User").unwrap_err().code,
            "INVALID_FIELD"
        );
        assert_eq!(
            run(&s, "SELECT Id FROM User WHERE Bogus = 1")
                .unwrap_err()
                .code,
            "INVALID_FIELD"
        );
        assert_eq!(
            run(&s, "SELECT Id FROM User ORDER BY Bogus")
                .unwrap_err()
                .code,
            "INVALID_FIELD"
        );
        let e = run(&s, "SELECT Id FROM User WHERE IsActive = 'true'").unwrap_err();
        assert_eq!(e.code, "INVALID_QUERY_FILTER_OPERATOR");
        let e = run(&s, "SELECT Id FROM User WHERE Username = 5").unwrap_err();
        assert_eq!(e.code, "INVALID_QUERY_FILTER_OPERATOR");
        let e = run(&s, "SELECT Id FROM User WHERE Id = 'short'").unwrap_err();
        assert_eq!(e.code, "INVALID_QUERY_FILTER_OPERATOR");
    }

    #[test]
    fn operators() {
        let s = sandbox();
        let q = |w: &str| {
            let mut v = names(
                &run(
                    &s,
                    &format!("SELECT Username FROM User WHERE {w} ORDER BY Username"),
                )
                .unwrap(),
                "Username",
            );
            v.iter_mut()
                .for_each(|u| *u = u.split('@').next().unwrap().to_string());
            v
        };
        assert_eq!(q("Username = 'JANE@acme.com.uat'"), ["jane"]);
        assert_eq!(
            q("Username != 'jane@acme.com.uat'"),
            ["admin", "bob", "provisioning"]
        );
        assert_eq!(
            q("Username <> 'jane@acme.com.uat' AND IsActive = true"),
            ["admin", "provisioning"]
        );
        assert_eq!(q("Username < 'c'"), ["admin", "bob"]);
        assert_eq!(q("Username <= 'bob@acme.com.uat'"), ["admin", "bob"]);
        assert_eq!(q("Username > 'j'"), ["jane", "provisioning"]);
        assert_eq!(q("Username >= 'provisioning'"), ["provisioning"]);
        assert_eq!(q("Email LIKE '%.invalid'"), ["bob", "jane", "provisioning"]);
        assert_eq!(q("Email LIKE 'j_ne@%'"), ["jane"]);
        assert_eq!(q("FirstName IN ('Jane', 'bob')"), ["bob", "jane"]);
        assert_eq!(
            q("FirstName NOT IN ('Jane', 'bob')"),
            ["admin", "provisioning"]
        );
        assert_eq!(q("NOT IsActive = true"), ["bob"]);
        assert_eq!(
            q("(IsActive = false OR FirstName = 'Jane') AND Email != null"),
            ["bob", "jane"]
        );
        assert_eq!(q("Profile.Name = 'Standard User'"), ["bob"]);
        assert_eq!(
            q("Id IN (SELECT UserId FROM UserLogin WHERE IsFrozen = true)"),
            ["bob"]
        );
        assert_eq!(
            q("LastLoginDate > 2000-01-01T00:00:00Z AND LastLoginDate = null"),
            Vec::<String>::new()
        );
        let admin = s.find_id("User", "Username", "admin@acme.com.uat").unwrap();
        assert_eq!(q(&format!("Id = '{}'", &admin[..15])), ["admin"]);
        assert!(like("100%", "100\\%"));
        assert!(!like("1000", "100\\%"));
        assert!(like("Ärger", "ä%"));
    }

    /// Profile's permission fields are "Filter, Update" in the Object Reference: a filter on
    /// them works (on Profile, and through `User.Profile`), a sort does not. In a German org
    /// the names are translated and the permissions still tell the administrators.
    #[test]
    fn profile_permissions_filter_but_do_not_sort() {
        let mut s = sandbox();
        crate::seed::localize(&mut s, crate::language::Language::German);
        let admins = "PermissionsModifyAllData = true AND PermissionsCustomizeApplication = true AND PermissionsApiEnabled = true AND UserType = 'Standard'";
        let out = run(&s, &format!("SELECT Id, Name FROM Profile WHERE {admins}")).unwrap();
        assert_eq!(names(&out, "Name"), ["Systemadministrator"]);
        let through_user = admins
            .replace("Permissions", "Profile.Permissions")
            .replace("UserType", "Profile.UserType");
        let out = run(
            &s,
            &format!("SELECT Username, Profile.Name, Profile.PermissionsApiEnabled FROM User WHERE IsActive = true AND {through_user} ORDER BY Username"),
        )
        .unwrap();
        assert_eq!(
            names(&out, "Username"),
            [
                "admin@acme.com.uat",
                "jane@acme.com.uat",
                "provisioning@logik.io.acme.uat"
            ]
        );
        assert_eq!(out.records[0]["Profile"]["PermissionsApiEnabled"], true);
        for sort in ["PermissionsModifyAllData", "Profile.PermissionsApiEnabled"] {
            let object = if sort.starts_with("Profile.") {
                "User"
            } else {
                "Profile"
            };
            let err = run(&s, &format!("SELECT Id FROM {object} ORDER BY {sort}")).unwrap_err();
            assert_eq!(err.code, "INVALID_FIELD", "{sort}");
            assert!(err.message.contains("can not be sorted"), "{}", err.message);
        }
        let described = s
            .data
            .table("Profile")
            .unwrap()
            .schema
            .fields
            .iter()
            .find(|f| f.name == "PermissionsModifyAllData")
            .unwrap()
            .describe();
        assert_eq!(
            (
                described["filterable"].clone(),
                described["sortable"].clone()
            ),
            (json!(true), json!(false))
        );
    }

    #[test]
    fn relationships_are_nested() {
        let s = sandbox();
        let out = run(&s, "SELECT Id, username, Profile.Name, Profile.PermissionsModifyAllData FROM User WHERE Username = 'bob@acme.com.uat'").unwrap();
        let r = &out.records[0];
        assert_eq!(r["attributes"]["type"], "User");
        assert!(
            r["attributes"]["url"]
                .as_str()
                .unwrap()
                .starts_with("/services/data/v62.0/sobjects/User/005")
        );
        assert_eq!(
            r["Username"], "bob@acme.com.uat",
            "field names as the schema spells them"
        );
        assert_eq!(r["Profile"]["attributes"]["type"], "Profile");
        assert_eq!(r["Profile"]["Name"], "Standard User");
        assert_eq!(r["Profile"]["PermissionsModifyAllData"], false);
        let keys: Vec<&String> = r.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["attributes", "Id", "Username", "Profile"]);
        // A lookup that is null gives a null relationship.
        let out = run(&s, "SELECT Name, SetupOwner.Name, CreatedBy.Username FROM LGK__ConfigurationTenant__c ORDER BY SetupOwner.Name").unwrap();
        assert_eq!(out.records.len(), 2);
        assert_eq!(out.records[0]["SetupOwner"]["Name"], "Acme");
        assert_eq!(
            out.records[1]["SetupOwner"]["attributes"]["type"],
            "Profile"
        );
        let out = run(
            &s,
            "SELECT Name, Owner.Username FROM Account WHERE Owner.Username LIKE 'jane%'",
        )
        .unwrap();
        assert_eq!(out.records[0]["Owner"]["Username"], "jane@acme.com.uat");
        // Custom lookups: `X__r` through `X__c`.
        let mut s = s;
        let product = s.find_id("Product2", "ProductCode", "WS-200").unwrap();
        let quote = s
            .insert_raw(false, "SBQQ__Quote__c", json!({"SBQQ__Primary__c": true}))
            .unwrap();
        s.insert_raw(
            false,
            "SBQQ__QuoteLine__c",
            json!({"SBQQ__Quote__c": quote, "SBQQ__Product__c": product, "SBQQ__Quantity__c": 2.0}),
        )
        .unwrap();
        let out = run(
            &s,
            "SELECT SBQQ__Product__r.ProductCode, sbqq__quote__r.SBQQ__Primary__c FROM SBQQ__QuoteLine__c WHERE SBQQ__Product__r.Name LIKE 'custom%'",
        )
        .unwrap();
        assert_eq!(out.records[0]["SBQQ__Product__r"]["ProductCode"], "WS-200");
        assert_eq!(out.records[0]["SBQQ__Quote__r"]["SBQQ__Primary__c"], true);
        // Tooling: through SubscriberPackage and to User in the data store.
        let out = run_tooling(&s, "SELECT SubscriberPackage.NamespacePrefix, SubscriberPackageVersion.MajorVersion, CreatedBy.Username FROM InstalledSubscriberPackage ORDER BY SubscriberPackage.NamespacePrefix").unwrap();
        assert_eq!(
            out.records[0]["SubscriberPackage"]["NamespacePrefix"],
            "LGK"
        );
        assert_eq!(
            out.records[0]["SubscriberPackageVersion"]["MajorVersion"],
            1
        );
        assert_eq!(
            out.records[1]["SubscriberPackage"]["NamespacePrefix"],
            "SBQQ"
        );
        assert_eq!(
            out.records[0]["CreatedBy"]["Username"],
            "admin@acme.com.uat"
        );
        assert!(
            out.records[0]["CreatedBy"]["attributes"]["url"]
                .as_str()
                .unwrap()
                .contains("/v62.0/sobjects/User/")
        );
    }

    #[test]
    fn ordering_limit_offset_and_count() {
        let mut s = sandbox();
        let out = run(
            &s,
            "SELECT Name FROM Product2 ORDER BY Name DESC LIMIT 2 OFFSET 1",
        )
        .unwrap();
        assert_eq!(out.total_size, 2);
        let all = names(
            &run(&s, "SELECT Name FROM Product2 ORDER BY Name DESC").unwrap(),
            "Name",
        );
        assert_eq!(names(&out, "Name"), all[1..3]);
        // Nulls first by default for ASC, last for DESC, and as asked.
        let id = s.data.table("Product2").unwrap().records[0]["Id"]
            .as_str()
            .unwrap()
            .to_string();
        s.data.table_mut("Product2").unwrap().records[0]["ProductCode"] = Value::Null;
        let first = |src: &str| {
            run(&s, src).unwrap().records[0]["Id"]
                .as_str()
                .unwrap()
                .to_string()
        };
        assert_eq!(first("SELECT Id FROM Product2 ORDER BY ProductCode"), id);
        assert_ne!(
            first("SELECT Id FROM Product2 ORDER BY ProductCode DESC"),
            id
        );
        assert_eq!(
            first("SELECT Id FROM Product2 ORDER BY ProductCode DESC NULLS FIRST"),
            id
        );
        assert_ne!(
            first("SELECT Id FROM Product2 ORDER BY ProductCode ASC NULLS LAST"),
            id
        );
        let out = run(
            &s,
            "SELECT COUNT() FROM Product2 WHERE LGK__IsConfigurable__c = true",
        )
        .unwrap();
        assert_eq!((out.total_size, out.records.len()), (3, 0));
        let out = run(&s, "SELECT COUNT(Id) n FROM Product2").unwrap();
        assert_eq!(
            out.records[0],
            json!({"attributes": {"type": "AggregateResult"}, "n": 5})
        );
        assert_eq!(
            run(&s, "SELECT COUNT(), Id FROM Product2")
                .unwrap_err()
                .code,
            "MALFORMED_QUERY"
        );
    }
}
