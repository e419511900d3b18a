//! The list's address: which view, search, sort and page. Parsed once, then used to query and
//! to build every link on the page, so links always carry the whole state.

use chrono::NaiveDateTime;
use serde::Deserialize;

use crate::contacts::views::StandardView;
use crate::contacts::{Criteria, Cursor, Sort};
use crate::error::AppError;

pub const PAGE_SIZES: [i64; 3] = [25, 50, 100];
pub const DEFAULT_PAGE_SIZE: i64 = 50;
const SEARCH_MAX_CHARS: usize = 200;

/// The query string as sent; every field optional and checked in `ListParams::parse`.
#[derive(Debug, Default, Deserialize)]
pub struct RawListParams {
    pub view: Option<String>,
    pub account: Option<i64>,
    pub import: Option<i64>,
    pub q: Option<String>,
    pub sort: Option<String>,
    pub dir: Option<String>,
    pub after: Option<String>,
    pub before: Option<String>,
    pub per_page: Option<i64>,
    /// Where the page starts in the view (1 for the first row), carried by the page links.
    pub from: Option<i64>,
}

/// Which set of contacts the list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewChoice {
    Standard(StandardView),
    Custom(i64),
}

#[derive(Debug, Clone)]
pub struct ListParams {
    pub view: ViewChoice,
    pub account: Option<i64>,
    pub import: Option<i64>,
    pub search: Option<String>,
    pub sort: Sort,
    pub descending: bool,
    pub cursor: Option<Cursor>,
    pub backward: bool,
    pub page_size: i64,
    /// The position of the page's first row, when the link that led here knew it.
    pub from: Option<i64>,
}

impl ListParams {
    pub fn parse(raw: RawListParams) -> Result<ListParams, AppError> {
        let view = match raw.view.as_deref().filter(|view| !view.is_empty()) {
            None => ViewChoice::Standard(StandardView::All),
            Some(slug) => match slug.strip_prefix("custom-").and_then(|id| id.parse().ok()) {
                Some(id) => ViewChoice::Custom(id),
                None => ViewChoice::Standard(StandardView::from_slug(slug).ok_or_else(|| {
                    AppError::BadRequest(format!("There is no view called “{slug}”."))
                })?),
            },
        };
        let search = raw.q.map(|q| q.trim().to_owned()).filter(|q| !q.is_empty());
        if search
            .as_ref()
            .is_some_and(|q| q.chars().count() > SEARCH_MAX_CHARS)
        {
            return Err(AppError::BadRequest(format!(
                "Search for at most {SEARCH_MAX_CHARS} characters."
            )));
        }
        let sort = match raw.sort.as_deref() {
            None | Some("") => Sort::Name,
            Some(other) => Sort::parse(other).ok_or_else(|| {
                AppError::BadRequest(format!("Contacts cannot be sorted by “{other}”."))
            })?,
        };
        let stale_link = || {
            AppError::BadRequest(
                "This page link is out of date. Start again from the first page.".to_owned(),
            )
        };
        let (cursor, backward) = match (raw.after, raw.before) {
            (Some(after), None) => (Some(Cursor::decode(&after).ok_or_else(stale_link)?), false),
            (None, Some(before)) if before == "end" => (None, true),
            (None, Some(before)) => (Some(Cursor::decode(&before).ok_or_else(stale_link)?), true),
            (None, None) => (None, false),
            (Some(_), Some(_)) => return Err(stale_link()),
        };
        let page_size = raw.per_page.unwrap_or(DEFAULT_PAGE_SIZE);
        if !PAGE_SIZES.contains(&page_size) {
            return Err(AppError::BadRequest(
                "Show 25, 50 or 100 contacts a page.".to_owned(),
            ));
        }
        Ok(ListParams {
            view,
            account: raw.account,
            import: raw.import,
            search,
            sort,
            descending: raw.dir.as_deref() == Some("desc"),
            cursor,
            backward,
            page_size,
            // Only a hint for "51–100 of 193": a wrong one is dropped, never refused.
            from: raw.from.filter(|from| (1..=1_000_000_000).contains(from)),
        })
    }

    pub fn view_slug(&self) -> String {
        match self.view {
            ViewChoice::Standard(view) => view.slug().to_owned(),
            ViewChoice::Custom(id) => format!("custom-{id}"),
        }
    }

    /// The criteria of a standard view narrowed by account and import; custom views add theirs.
    pub fn base_criteria(&self, now: NaiveDateTime) -> Criteria {
        let mut criteria = match self.view {
            ViewChoice::Standard(view) => view.criteria(now),
            ViewChoice::Custom(_) => Criteria::default(),
        };
        criteria.account_id = self.account;
        criteria.import_id = self.import;
        criteria
    }

    /// The pairs that pick the same contacts (no page position), for forms and links.
    pub fn selection_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = vec![("view", self.view_slug())];
        if let Some(account) = self.account {
            pairs.push(("account", account.to_string()));
        }
        if let Some(import) = self.import {
            pairs.push(("import", import.to_string()));
        }
        if let Some(search) = &self.search {
            pairs.push(("q", search.clone()));
        }
        pairs
    }

    fn href(
        &self,
        base: &str,
        sort: Sort,
        descending: bool,
        position: Option<(&str, String, Option<i64>)>,
        page_size: i64,
    ) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (key, value) in self.selection_pairs() {
            if !(key == "view" && value == "all") {
                query.append_pair(key, &value);
            }
        }
        if sort != Sort::Name {
            query.append_pair("sort", sort.as_str());
        }
        if descending {
            query.append_pair("dir", "desc");
        }
        if page_size != DEFAULT_PAGE_SIZE {
            query.append_pair("per_page", &page_size.to_string());
        }
        if let Some((key, value, from)) = position {
            query.append_pair(key, &value);
            if let Some(from) = from {
                query.append_pair("from", &from.to_string());
            }
        }
        let query = query.finish();
        if query.is_empty() {
            base.to_owned()
        } else {
            format!("{base}?{query}")
        }
    }

    pub fn first_page_href(&self, base: &str) -> String {
        self.href(base, self.sort, self.descending, None, self.page_size)
    }

    /// The last page, whose first row is `from` when the total is known.
    pub fn last_page_href(&self, base: &str, from: Option<i64>) -> String {
        self.href(
            base,
            self.sort,
            self.descending,
            Some(("before", "end".to_owned(), from)),
            self.page_size,
        )
    }

    /// The page after `cursor`, whose first row is `from`.
    pub fn after_href(&self, base: &str, cursor: &Cursor, from: Option<i64>) -> String {
        self.href(
            base,
            self.sort,
            self.descending,
            Some(("after", cursor.encode(), from)),
            self.page_size,
        )
    }

    /// The page before `cursor`, whose first row is `from`.
    pub fn before_href(&self, base: &str, cursor: &Cursor, from: Option<i64>) -> String {
        self.href(
            base,
            self.sort,
            self.descending,
            Some(("before", cursor.encode(), from)),
            self.page_size,
        )
    }

    /// A column header's link: sorting by it ascending, or flipping it if it is the sort now.
    pub fn sort_href(&self, base: &str, sort: Sort) -> String {
        let descending = sort == self.sort && !self.descending;
        self.href(base, sort, descending, None, self.page_size)
    }

    pub fn page_size_href(&self, base: &str, page_size: i64) -> String {
        self.href(base, self.sort, self.descending, None, page_size)
    }

    pub fn for_view_href(base: &str, slug: &str) -> String {
        if slug == "all" {
            base.to_owned()
        } else {
            format!("{base}?view={slug}")
        }
    }
}
