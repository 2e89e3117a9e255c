//! The last committed version of a design file, from a real Git repository made for the test.

use std::path::Path;
use std::process::Command;

use stagecraft_export::revision::last_committed;

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=Ada", "-c", "user.email=ada@example.com"])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .status()
        .expect("git must be installed for this test");
    assert!(status.success(), "git {args:?} failed");
}

#[test]
fn a_committed_file_comes_back_as_committed_even_after_edits() {
    let repo = tempfile::tempdir().unwrap();
    let folder = repo.path().join("infra");
    std::fs::create_dir(&folder).unwrap();
    let file = folder.join("shop.stagecraft.json");
    git(repo.path(), &["init", "-q"]);

    std::fs::write(&file, "first\n").unwrap();
    assert_eq!(
        last_committed(&file).unwrap(),
        None,
        "an untracked file has no committed version"
    );

    git(repo.path(), &["add", "."]);
    git(repo.path(), &["commit", "-q", "-m", "Start the shop"]);
    std::fs::write(&file, "second, not committed\n").unwrap();

    let committed = last_committed(&file).unwrap().expect("a committed version");
    assert_eq!(
        committed.text, "first\n",
        "the text at the commit, not the edited file"
    );
    assert_eq!(committed.subject, "Start the shop");
    assert!(committed.revision.len() >= 7, "{committed:?}");
    assert_eq!(committed.date.len(), 10, "YYYY-MM-DD: {committed:?}");
    assert!(
        committed.label().contains("Start the shop")
            && committed.label().contains(&committed.revision),
        "{}",
        committed.label()
    );
}

#[test]
fn outside_a_repository_there_is_nothing_to_compare_with() {
    let dir = tempfile::tempdir().unwrap();
    // GIT_CEILING_DIRECTORIES is not needed: the temp folder is not inside a work tree here,
    // and the assertion says so if that ever changes.
    let file = dir.path().join("shop.stagecraft.json");
    std::fs::write(&file, "{}").unwrap();
    assert_eq!(last_committed(&file).unwrap(), None);
}
