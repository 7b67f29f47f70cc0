#pragma once
// A test SQLite VFS around the real unix VFS, installed as the process's default (so the store
// opens its files through it without any knob). It does two things:
//  - records, in order, every write to a WAL and every xSync (and the test's own marks, e.g.
//    "the commit hook ran"), so a test can see what reached the disk before what;
//  - optionally plays the kernel's page cache: files opened while the volatile cache is on keep
//    their writes in memory and only xSync puts them in the real file. power_cut() then loses
//    every unsynced byte, and the machine stays "off" (writes, syncs and deletes do nothing)
//    until restore_power(). Only one connection may use a volatile file at a time (a second one
//    would read the real file, like a second machine would).
// Because the default VFS is process-wide, tests using it live in their own executable.
#include <cstddef>
#include <mutex>
#include <vector>

namespace avmon::store::test::vfs {

enum class Step { wal_write, wal_sync, db_sync, other_sync, hook };

class Journal {
public:
    void add(Step s);
    std::size_t mark() const;                      // position to look from later
    std::vector<Step> since(std::size_t mark) const;

private:
    mutable std::mutex m_;
    std::vector<Step> steps_;
};

Journal& journal();

// Registers the VFS as the default for connections opened afterwards (idempotent); throws
// std::runtime_error when that is impossible.
void install();

void set_volatile_cache(bool on);  // for files opened from now on
void power_cut();                  // unsynced data is gone; the machine is off
void restore_power();              // files opened from now on read what the disk kept
bool powered();

}  // namespace avmon::store::test::vfs
