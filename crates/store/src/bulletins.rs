//! Bulletin snapshots and published files. (Being built.)
