//! `espeak-ng` as the speech engine: one child process per utterance,
//! always reaped (a watcher thread waits for it), killed and reaped at once
//! when stopped or replaced.

use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{Speech, SpeechError, SpeechEvent, Utterance, Voice, next_utterance};
use crate::devices::EventSink;

/// The program run; `KIOSK_ESPEAK` overrides it (tests point it at a stand-in).
pub fn program() -> String {
    std::env::var("KIOSK_ESPEAK").unwrap_or_else(|_| "espeak-ng".into())
}

pub struct Espeak {
    program: String,
    sink: EventSink<SpeechEvent>,
    /// The utterance playing: its number and process.
    playing: Arc<Mutex<Option<(u64, Child)>>>,
}

impl Espeak {
    /// Uses `program` when it runs (`--version` answers), else `None`.
    pub fn find(program: &str, sink: EventSink<SpeechEvent>) -> Option<Espeak> {
        let ok = Command::new(program)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Espeak { program: program.to_string(), sink, playing: Arc::new(Mutex::new(None)) })
    }
}

/// Kills and reaps the utterance playing, if any; its number.
fn kill(playing: &Mutex<Option<(u64, Child)>>) -> Option<u64> {
    let (n, mut child) = playing.lock().ok()?.take()?;
    let _ = child.kill();
    let _ = child.wait();
    Some(n)
}

impl Speech for Espeak {
    fn say(&mut self, u: Utterance) -> Result<u64, SpeechError> {
        self.stop();
        let voice = match u.voice {
            Voice::Mandarin => "cmn",
            Voice::English => "en",
        };
        let child = Command::new(&self.program)
            .args(["-v", voice, "-s", &u.rate_wpm.to_string(), "--", &u.text])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| SpeechError::Unavailable(format!("{}: {e}", self.program)))?;
        let n = next_utterance();
        if let Ok(mut p) = self.playing.lock() {
            *p = Some((n, child));
        }
        // The watcher reaps the process when it ends by itself.
        let (playing, sink) = (self.playing.clone(), self.sink.clone());
        let spawned = std::thread::Builder::new().name("speech".into()).spawn(move || {
            loop {
                std::thread::sleep(Duration::from_millis(50));
                let Ok(mut p) = playing.lock() else { return };
                match p.as_mut() {
                    Some((m, child)) if *m == n => {
                        if !matches!(child.try_wait(), Ok(None)) {
                            let _ = child.wait();
                            *p = None;
                            break;
                        }
                    }
                    // Stopped or replaced: `stop` reaped it.
                    _ => break,
                }
            }
            sink(SpeechEvent::Finished(n));
        });
        if let Err(e) = spawned {
            tracing::error!("cannot watch the speech process: {e}");
            kill(&self.playing);
            return Err(SpeechError::Unavailable(e.to_string()));
        }
        Ok(n)
    }

    fn stop(&mut self) {
        kill(&self.playing);
    }

    fn describe(&self) -> String {
        self.program.clone()
    }
}

impl Drop for Espeak {
    fn drop(&mut self) {
        kill(&self.playing);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    /// A stand-in for espeak-ng: a shell script that records its arguments
    /// and "speaks" for `secs`.
    fn stand_in(dir: &std::path::Path, secs: &str) -> String {
        use std::os::unix::fs::PermissionsExt;
        let p = dir.join("espeak-ng");
        std::fs::write(
            &p,
            format!(
                "#!/bin/sh\n[ \"$1\" = --version ] && exit 0\necho \"$$ $*\" >> {}/said\nexec sleep {secs}\n",
                dir.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        p.display().to_string()
    }

    fn zombies_of_this_process() -> usize {
        let me = std::process::id().to_string();
        std::fs::read_dir("/proc")
            .unwrap()
            .filter_map(|e| std::fs::read_to_string(e.ok()?.path().join("stat")).ok())
            .filter(|stat| {
                // pid (comm) state ppid …
                let after = stat.rsplit_once(") ").map(|(_, r)| r).unwrap_or("");
                let mut f = after.split(' ');
                f.next() == Some("Z") && f.next() == Some(me.as_str())
            })
            .count()
    }

    #[test]
    fn each_utterance_is_reaped_whether_it_ends_or_is_stopped() {
        let dir = tempfile::tempdir().unwrap();
        let (tx, rx) = mpsc::channel();
        let tx = Mutex::new(tx);
        let sink: EventSink<SpeechEvent> = Arc::new(move |e| {
            let _ = tx.lock().unwrap().send(e);
        });
        let u = |t: &str| Utterance { text: t.into(), voice: Voice::Mandarin, rate_wpm: 150 };
        // Ends by itself.
        let mut s = Espeak::find(&stand_in(dir.path(), "0.1"), sink.clone()).unwrap();
        let n = s.say(u("每天二百元")).unwrap();
        assert_eq!(rx.recv_timeout(Duration::from_secs(30)).unwrap(), SpeechEvent::Finished(n));
        // Stopped half-way, and replaced by another.
        let mut s = Espeak::find(&stand_in(dir.path(), "30"), sink).unwrap();
        let a = s.say(u("第一段")).unwrap();
        let b = s.say(u("第二段")).unwrap();
        assert_eq!(rx.recv_timeout(Duration::from_secs(30)).unwrap(), SpeechEvent::Finished(a));
        s.stop();
        assert_eq!(rx.recv_timeout(Duration::from_secs(30)).unwrap(), SpeechEvent::Finished(b));
        assert_eq!(zombies_of_this_process(), 0);
        let said = std::fs::read_to_string(dir.path().join("said")).unwrap();
        assert!(said.contains("-v cmn -s 150 -- 第二段"), "{said}");
    }
}
