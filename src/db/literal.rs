//! Constants and code-built SQL written into the statement instead of bound: SQLite matches a
//! partial index (`WHERE is_spam = 0`) only against literals, and re-prepares a statement whose
//! bound value it peeked at; diesel never caches a query holding `sql()`, so `CodeSql` marks
//! such pieces as safe to cache. Target: P1 and P2, the list pages at 1M contacts.

use diesel::backend::Backend;
use diesel::expression::{
    is_aggregate, AppearsOnTable, Expression, SelectableExpression, ValidGrouping,
};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{Bool, Text};
use diesel::sqlite::Sqlite;
use diesel::QueryResult;
use std::marker::PhantomData;

use super::MultiBackend;

/// `true` or `false`, spelled as each backend's partial indexes spell it (SQLite: `1`/`0`).
#[derive(Debug, Clone, Copy)]
pub struct BoolLiteral(pub bool);

/// A fixed string such as a stored status. Only `'static` values from the code, never input,
/// and never one holding a quote (checked when it is written).
#[derive(Debug, Clone, Copy)]
pub struct TextLiteral(pub &'static str);

/// SQL text of type `ST` put together by the code from fixed pieces: column names, sort
/// directions, numbers. Never text from input; values from input are bound between the pieces
/// (`.text(value)`), which keeps a query holding it cacheable, unlike diesel's `sql().bind()`.
#[derive(Debug, Clone)]
pub struct CodeSql<ST> {
    parts: Vec<SqlPart>,
    cacheable: bool,
    sql_type: PhantomData<ST>,
}

#[derive(Debug, Clone)]
enum SqlPart {
    Code(String),
    Text(String),
}

impl<ST> CodeSql<ST> {
    pub fn new(code: impl Into<String>) -> Self {
        CodeSql {
            parts: vec![SqlPart::Code(code.into())],
            cacheable: true,
            sql_type: PhantomData,
        }
    }

    /// A value from input, bound as a parameter where it stands.
    pub fn text(mut self, value: impl Into<String>) -> Self {
        self.parts.push(SqlPart::Text(value.into()));
        self
    }

    /// More of the code's own SQL.
    pub fn code(mut self, code: impl Into<String>) -> Self {
        self.parts.push(SqlPart::Code(code.into()));
        self
    }

    /// Another piece of code-built SQL, its bound values kept where they stand.
    pub fn then<Other>(mut self, other: CodeSql<Other>) -> Self {
        self.parts.extend(other.parts);
        self.cacheable &= other.cacheable;
        self
    }

    /// Keeps any query holding this out of the statement cache, so PostgreSQL plans it for
    /// the values bound each time rather than once for any value.
    pub fn uncached(mut self) -> Self {
        self.cacheable = false;
        self
    }
}

impl<ST: diesel::expression::TypedExpressionType> Expression for CodeSql<ST> {
    type SqlType = ST;
}

impl<ST, DB> QueryFragment<DB> for CodeSql<ST>
where
    DB: Backend + diesel::sql_types::HasSqlType<Text>,
    String: diesel::serialize::ToSql<Text, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        if !self.cacheable {
            out.unsafe_to_cache_prepared();
        }
        for part in &self.parts {
            match part {
                SqlPart::Code(code) => out.push_sql(code),
                SqlPart::Text(value) => out.push_bind_param::<Text, String>(value)?,
            }
        }
        Ok(())
    }
}

impl<ST> QueryId for CodeSql<ST> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<ST, GroupBy> ValidGrouping<GroupBy> for CodeSql<ST> {
    type IsAggregate = is_aggregate::Never;
}

impl<ST, QuerySource> AppearsOnTable<QuerySource> for CodeSql<ST> where CodeSql<ST>: Expression {}

impl<ST, QuerySource> SelectableExpression<QuerySource> for CodeSql<ST> where CodeSql<ST>: Expression
{}

impl Expression for BoolLiteral {
    type SqlType = Bool;
}

impl Expression for TextLiteral {
    type SqlType = Text;
}

impl QueryFragment<Sqlite> for BoolLiteral {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        out.push_sql(if self.0 { "1" } else { "0" });
        Ok(())
    }
}

impl QueryFragment<Pg> for BoolLiteral {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql(if self.0 { "true" } else { "false" });
        Ok(())
    }
}

impl QueryFragment<MultiBackend> for BoolLiteral {
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        MultiBackend::walk_variant_ast(self, pass)
    }
}

impl<DB: Backend> QueryFragment<DB> for TextLiteral {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        if self.0.contains('\'') {
            return Err(diesel::result::Error::QueryBuilderError(
                format!("a text literal cannot hold a quote: {}", self.0).into(),
            ));
        }
        out.push_sql("'");
        out.push_sql(self.0);
        out.push_sql("'");
        Ok(())
    }
}

// No static query id: the statement cache keys these queries by their SQL text, which holds
// the literal, so two different constants never share a cached statement.
macro_rules! literal_expression {
    ($literal:ty) => {
        impl QueryId for $literal {
            type QueryId = ();
            const HAS_STATIC_QUERY_ID: bool = false;
        }

        impl<GroupBy> ValidGrouping<GroupBy> for $literal {
            type IsAggregate = is_aggregate::Never;
        }

        impl<QuerySource> AppearsOnTable<QuerySource> for $literal {}

        impl<QuerySource> SelectableExpression<QuerySource> for $literal {}
    };
}

literal_expression!(BoolLiteral);
literal_expression!(TextLiteral);
