//! The data behind the typed GOV.UK components. Each has an askama macro in
//! `templates/components.html`; pages build these and never write GOV.UK
//! markup by hand.

/// GOV.UK tag colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagColour {
    Grey,
    Green,
    Turquoise,
    Blue,
    LightBlue,
    Purple,
    Pink,
    Red,
    Orange,
    Yellow,
}

impl TagColour {
    pub fn class(self) -> &'static str {
        match self {
            TagColour::Grey => "govuk-tag--grey",
            TagColour::Green => "govuk-tag--green",
            TagColour::Turquoise => "govuk-tag--turquoise",
            TagColour::Blue => "",
            TagColour::LightBlue => "govuk-tag--light-blue",
            TagColour::Purple => "govuk-tag--purple",
            TagColour::Pink => "govuk-tag--pink",
            TagColour::Red => "govuk-tag--red",
            TagColour::Orange => "govuk-tag--orange",
            TagColour::Yellow => "govuk-tag--yellow",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Tag {
    pub text: String,
    pub colour: TagColour,
}

impl Tag {
    pub fn new(text: impl Into<String>, colour: TagColour) -> Tag {
        Tag {
            text: text.into(),
            colour,
        }
    }
}

/// One cell of a table: text, optionally a link, optionally tags after it.
#[derive(Debug, Clone, Default)]
pub struct Cell {
    pub text: String,
    pub href: Option<String>,
    pub tags: Vec<Tag>,
    pub numeric: bool,
    /// The first cell of a row can be its header (`<th scope="row">`).
    pub row_header: bool,
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            ..Cell::default()
        }
    }
    pub fn link(text: impl Into<String>, href: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            href: Some(href.into()),
            ..Cell::default()
        }
    }
    pub fn tag(tag: Tag) -> Cell {
        Cell {
            tags: vec![tag],
            ..Cell::default()
        }
    }
    pub fn heading(mut self) -> Cell {
        self.row_header = true;
        self
    }
}

#[derive(Debug, Clone, Default)]
pub struct Table {
    pub caption: String,
    /// Caption size: "s", "m", "l" or "xl".
    pub caption_size: &'static str,
    pub head: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// One row of a summary list.
#[derive(Debug, Clone)]
pub struct SummaryRow {
    pub key: String,
    pub value: String,
    /// A second line under the value, in secondary text.
    pub hint: Option<String>,
}

impl SummaryRow {
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> SummaryRow {
        SummaryRow {
            key: key.into(),
            value: value.into(),
            hint: None,
        }
    }
    pub fn with_hint(mut self, hint: impl Into<String>) -> SummaryRow {
        self.hint = Some(hint.into());
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageLink {
    Number {
        number: u32,
        href: String,
        current: bool,
    },
    Ellipsis,
}

/// GOV.UK pagination: previous, numbered pages (with gaps), next.
#[derive(Debug, Clone, Default)]
pub struct Pagination {
    pub previous: Option<String>,
    pub next: Option<String>,
    pub pages: Vec<PageLink>,
}

impl Pagination {
    /// Links for `page` of `total_pages`; `href` builds the URL of a page.
    pub fn new(page: u32, total_pages: u32, href: impl Fn(u32) -> String) -> Pagination {
        if total_pages <= 1 {
            return Pagination::default();
        }
        let mut pages = Vec::new();
        let mut last_shown = 0;
        for n in 1..=total_pages {
            let near = n + 1 >= page && n <= page + 1;
            if n == 1 || n == total_pages || near {
                if last_shown + 1 < n {
                    pages.push(PageLink::Ellipsis);
                }
                pages.push(PageLink::Number {
                    number: n,
                    href: href(n),
                    current: n == page,
                });
                last_shown = n;
            }
        }
        Pagination {
            previous: (page > 1).then(|| href(page - 1)),
            next: (page < total_pages).then(|| href(page + 1)),
            pages,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }
}
