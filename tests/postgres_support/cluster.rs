//! A PostgreSQL server of a test's own, made by scripts/setup-postgres.sh in a
//! temporary directory, that the test may stop and start (to play a database
//! restart) without disturbing the shared test server. It needs the PostgreSQL
//! server binaries, which `KUULAS_TEST_POSTGRES` being set vouches for; without
//! it the test skips like the others.

use std::path::PathBuf;
use std::process::Command;

/// A running private server; stopped and removed when dropped.
pub struct Cluster {
    /// Owned by the server's user; removed after the server stops.
    dir: tempfile::TempDir,
    bin: PathBuf,
    /// postgres://… of the cluster's `kuulas_test` database.
    pub url: String,
}

/// A new private server, or `None` (after a loud message) when the machine has
/// no PostgreSQL for tests.
pub fn cluster(test: &str) -> Option<Cluster> {
    // Same rule as `database`: skip loudly unless PostgreSQL is configured.
    super::admin_url(test)?;
    let dir = tempfile::Builder::new()
        .prefix("kuulas-pg-")
        .tempdir()
        .unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/setup-postgres.sh");
    let out = Command::new("bash")
        .arg(script)
        .arg(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "setup-postgres.sh failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let url = text
        .lines()
        .find_map(|l| l.strip_prefix("export KUULAS_TEST_POSTGRES="))
        .unwrap_or_else(|| panic!("no URL in setup-postgres.sh's output: {text}"))
        .to_string();
    Some(Cluster {
        dir,
        bin: server_bin(),
        url,
    })
}

/// Where `pg_ctl` is, as the setup script finds it.
fn server_bin() -> PathBuf {
    let debian = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .find(|bin| bin.join("pg_ctl").exists());
    debian.unwrap_or_default()
}

impl Cluster {
    /// Stops the server ("fast": open connections are terminated, as in a restart).
    pub fn stop(&self) {
        self.pg_ctl(&["stop", "-m", "fast", "-w"]);
    }

    /// Starts the stopped server again on the same port.
    pub fn start(&self) {
        let dir = self.dir.path().display();
        let port = std::fs::read_to_string(self.dir.path().join("port")).unwrap();
        let options = format!(
            "-h 127.0.0.1 -p {} -k {dir} -c fsync=off -c max_connections=200",
            port.trim()
        );
        let log = format!("{dir}/server.log");
        self.pg_ctl(&["start", "-w", "-t", "60", "-l", &log, "-o", &options]);
    }

    fn pg_ctl(&self, args: &[&str]) {
        let data = self.dir.path().join("data");
        let mut argv = vec![
            self.bin.join("pg_ctl").display().to_string(),
            "-D".to_string(),
            data.display().to_string(),
        ];
        argv.extend(args.iter().map(|a| a.to_string()));
        let out = as_owner(&argv).output().unwrap();
        assert!(
            out.status.success(),
            "pg_ctl {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.dir.path().join("data");
        let argv = [
            self.bin.join("pg_ctl").display().to_string(),
            "-D".to_string(),
            data.display().to_string(),
            "stop".to_string(),
            "-m".to_string(),
            "immediate".to_string(),
        ];
        let _ = as_owner(&argv).output();
    }
}

/// `argv` as the cluster's owner: ourselves, or the `postgres` user when we are
/// root (PostgreSQL refuses to run as root), as the setup script does.
fn as_owner(argv: &[String]) -> Command {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0");
    if !root {
        let mut cmd = Command::new(&argv[0]);
        cmd.args(&argv[1..]);
        return cmd;
    }
    let quoted: Vec<String> = argv
        .iter()
        .map(|a| format!("'{}'", a.replace('\'', r"'\''")))
        .collect();
    let mut cmd = Command::new("su");
    cmd.args(["postgres", "-s", "/bin/sh", "-c", &quoted.join(" ")]);
    cmd
}
