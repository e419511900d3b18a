use crate::contacts::{link, list, names_in};
use crate::helpers::TestApp;
use crate::on_both_backends;

/// Every name on the pages from `query` on, following the links marked `rel`.
pub(crate) async fn walk(app: &TestApp, query: &str, rel: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut html = list(app, query).await;
    loop {
        let mut page = names_in(&html);
        if rel == "prev" {
            page.reverse();
        }
        names.extend(page);
        match link(&html, rel) {
            Some(href) => html = list(app, &href["/contacts".len()..]).await,
            None => break,
        }
    }
    if rel == "prev" {
        names.reverse();
    }
    names
}

/// The names the unsearched list shows from `query` on, in its order, those `kept` only: what
/// a search's walk must equal.
pub(crate) async fn listed_names(
    app: &TestApp,
    query: &str,
    kept: impl Fn(&str) -> bool,
) -> Vec<String> {
    walk(app, query, "next")
        .await
        .into_iter()
        .filter(|name| kept(name))
        .collect()
}

/// The names in the CSV export of the list `query` selects, in the file's order.
async fn exported_names(app: &TestApp, query: &str) -> Vec<String> {
    let file = app.get_html(&format!("/contacts/export{query}")).await;
    csv::Reader::from_reader(file.as_bytes())
        .records()
        .map(|record| record.expect("a CSV row")[0].to_owned())
        .collect()
}

/// 1,200 contacts that "novak" finds, by name or (one in ten) by email only: first names from
/// several alphabets, ones that share their first three letters, and repeated full names.
fn novak_contacts() -> Vec<(String, String)> {
    let first_names = [
        "Ada",
        "Adam",
        "Adamo",
        "Aida",
        "Al",
        "Ali",
        "Alina",
        "Anna",
        "Annabel",
        "Marie",
        "Mario",
        "Mariana",
        "Zoë",
        "Zoe",
        "Ömer",
        "Łukasz",
        "Ωmega",
        "Ærin",
        "李",
        "王芳",
        "Ева",
        "Екатерина",
        "😀 Smile",
        "novak",
    ];
    let last_names = ["Novak", "Novaković", "Novakova", "NOVAK", "Sanovak"];
    (0..1_200)
        .map(|n| {
            let first = first_names[(n * 7) % first_names.len()];
            let last = last_names[(n * 3) % last_names.len()];
            if n % 10 == 9 {
                (
                    format!("{first} Quill"),
                    format!("quill.novak{n}@example.com"),
                )
            } else {
                (format!("{first} {last}"), format!("person{n}@example.com"))
            }
        })
        .collect()
}

on_both_backends! {
    async fn a_broad_search_pages_through_every_match_in_name_order_both_ways(app) {
        app.sign_in_agent(false).await;
        app.add_contacts(&novak_contacts());
        // Enough outsiders that "novak" stays under one contact in four (3,300 of 15,300 at
        // the end), so the trigram sample never takes it for a term nearly everyone holds and
        // the name-ordered reading is what runs.
        let outsiders: Vec<(String, String)> = (0..12_000)
            .map(|n| (format!("Outsider {n:05}"), format!("outsider{n}@example.com")))
            .collect();
        for chunk in outsiders.chunks(1_000) {
            app.add_contacts(chunk);
        }
        let expected = listed_names(&app, "?per_page=100", |name| !name.starts_with("Outsider")).await;
        assert_eq!(expected.len(), 1_200);

        let first = list(&app, "?q=novak&per_page=100").await;
        assert!(first.contains("1,000+ contacts"), "a broad search");
        assert_eq!(walk(&app, "?q=novak&per_page=100", "next").await, expected, "every match once, in the list's name order");
        assert_eq!(walk(&app, "?q=NOVAK&per_page=100&before=end", "prev").await, expected, "and walking back from the last page");
        let mut descending = expected.clone();
        descending.reverse();
        assert_eq!(walk(&app, "?q=novak&per_page=100&sort=name&dir=desc", "next").await, descending, "and from Z to A");
        let by_email = listed_names(&app, "?per_page=100&sort=email", |name| !name.starts_with("Outsider")).await;
        assert_eq!(walk(&app, "?q=novak&per_page=100&sort=email", "next").await, by_email, "sorted by another column too");
        let newest_first = listed_names(&app, "?per_page=100&sort=created&dir=desc", |name| !name.starts_with("Outsider")).await;
        assert_eq!(walk(&app, "?q=novak&per_page=100&sort=created&dir=desc", "next").await, newest_first, "and by when they were added");
        assert_eq!(exported_names(&app, "?q=novak").await, expected, "the export holds every match once, in the list's order");

        // Thousands of matches whose names start alike, past what the search reads to finish a
        // name's first letters: still every match, in order.
        let alike: Vec<(String, String)> = (0..2_100)
            .rev()
            .map(|n| (format!("Novak Zz {n:04}"), format!("zz{n}@example.com")))
            .collect();
        app.add_contacts(&alike);
        let expected = listed_names(&app, "?per_page=100", |name| !name.starts_with("Outsider")).await;
        assert_eq!(expected.len(), 3_300);
        assert_eq!(walk(&app, "?q=novak&per_page=100", "next").await, expected);
    }

    async fn a_search_most_contacts_match_pages_and_exports_in_the_lists_order(app) {
        app.sign_in_agent(false).await;
        let members: Vec<(String, String)> = (0..1_100)
            .map(|n| (format!("Member {:04}", (n * 7_919) % 1_100), format!("member{n}@dense-club.example")))
            .collect();
        app.add_contacts(&members);
        let guests: Vec<(String, String)> = (0..60)
            .map(|n| (format!("Guest {n:02}"), format!("guest{n}@elsewhere.test")))
            .collect();
        app.add_contacts(&guests);
        for sort in ["", "&sort=email", "&sort=status", "&sort=created&dir=desc"] {
            let expected = listed_names(&app, &format!("?per_page=100{sort}"), |name| name.starts_with("Member")).await;
            assert_eq!(expected.len(), 1_100);
            assert_eq!(walk(&app, &format!("?q=dense-club&per_page=100{sort}"), "next").await, expected, "every match once, in the list's order ({sort})");
            assert_eq!(exported_names(&app, &format!("?q=dense-club{sort}")).await, expected, "and the export too ({sort})");
        }
    }
}
