//! A small filesystem of the test's own (a tmpfs mounted on the store's directory) that
//! can be filled to the last byte and emptied again, to see what the server does when
//! its disk is full. Mounting needs root, as CI runs; elsewhere the tests that need it
//! say they were skipped.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A mounted tmpfs, unmounted when dropped.
#[derive(Debug)]
pub struct SmallDisk {
    mount_point: PathBuf,
}

impl SmallDisk {
    /// Mounts a tmpfs of `mebibytes` on the empty directory `mount_point`, or answers
    /// why it could not (not root, no `mount`).
    pub fn mount(mount_point: &Path, mebibytes: u32) -> Result<Self, String> {
        std::fs::create_dir_all(mount_point).map_err(|error| error.to_string())?;
        let output = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={mebibytes}m"), "tmpfs"])
            .arg(mount_point)
            .output()
            .map_err(|error| format!("cannot run mount: {error}"))?;
        if output.status.success() {
            Ok(Self { mount_point: mount_point.to_owned() })
        } else {
            Err(String::from_utf8_lossy(&output.stderr).trim().to_owned())
        }
    }

    /// Writes a filler file until the filesystem has not one byte left.
    pub fn fill(&self) {
        let mut filler = std::fs::File::create(self.filler())
            .unwrap_or_else(|error| panic!("cannot create the filler: {error}"));
        for chunk in [1 << 20, 1 << 12, 1] {
            let bytes = vec![0_u8; chunk];
            while filler.write_all(&bytes).and_then(|()| filler.flush()).is_ok() {}
        }
        let _ = filler.sync_all();
    }

    /// Deletes the filler, giving the space back.
    pub fn free(&self) {
        std::fs::remove_file(self.filler())
            .unwrap_or_else(|error| panic!("cannot delete the filler: {error}"));
    }

    fn filler(&self) -> PathBuf {
        self.mount_point.join("filler")
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        // Lazily, so a server process still holding files cannot keep it mounted.
        let _ = Command::new("umount").arg("-l").arg(&self.mount_point).status();
    }
}
