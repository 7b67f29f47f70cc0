#include "tests/store/recording_vfs.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

namespace avmon::store::test::vfs {

void Journal::add(Step s) {
    std::lock_guard lock(m_);
    steps_.push_back(s);
}
std::size_t Journal::mark() const {
    std::lock_guard lock(m_);
    return steps_.size();
}
std::vector<Step> Journal::since(std::size_t mark) const {
    std::lock_guard lock(m_);
    return {steps_.begin() + static_cast<std::ptrdiff_t>(std::min(mark, steps_.size())), steps_.end()};
}

Journal& journal() {
    static Journal j;
    return j;
}

namespace {

std::atomic<bool> volatile_cache{false};
std::atomic<bool> dead{false};

struct FileState {
    Step kind;            // what a sync of this file is recorded as
    bool cached = false;  // writes stay in `mem` until xSync
    std::string mem;      // the file as SQLite sees it (cached files only)
    std::vector<std::pair<sqlite3_int64, sqlite3_int64>> dirty;  // offset, length
};

struct RecordingFile {
    sqlite3_file base;   // must come first: SQLite sees this
    FileState* state;
    sqlite3_file* real;  // the real VFS's file, allocated right after this struct
};

sqlite3_vfs* real_vfs = nullptr;
sqlite3_io_methods methods{};

RecordingFile* rec(sqlite3_file* f) { return reinterpret_cast<RecordingFile*>(f); }
sqlite3_file* real_of(sqlite3_file* f) { return rec(f)->real; }
FileState& state_of(sqlite3_file* f) { return *rec(f)->state; }

int x_close(sqlite3_file* f) {
    auto* real = real_of(f);
    delete rec(f)->state;
    rec(f)->state = nullptr;
    return real->pMethods ? real->pMethods->xClose(real) : SQLITE_OK;
}

int x_read(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
    auto& st = state_of(f);
    if (!st.cached) return real_of(f)->pMethods->xRead(real_of(f), buf, n, off);
    const auto size = static_cast<sqlite3_int64>(st.mem.size());
    const auto have = std::clamp<sqlite3_int64>(size - off, 0, n);
    if (have > 0) std::memcpy(buf, st.mem.data() + off, static_cast<std::size_t>(have));
    if (have == n) return SQLITE_OK;
    std::memset(static_cast<char*>(buf) + have, 0, static_cast<std::size_t>(n - have));
    return SQLITE_IOERR_SHORT_READ;
}

int x_write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
    auto& st = state_of(f);
    int rc = SQLITE_OK;
    if (dead) {
        // The machine is off: nothing reaches any file any more.
    } else if (st.cached) {
        const auto end = static_cast<std::size_t>(off) + static_cast<std::size_t>(n);
        if (st.mem.size() < end) st.mem.resize(end, '\0');
        std::memcpy(st.mem.data() + off, buf, static_cast<std::size_t>(n));
        st.dirty.emplace_back(off, n);
    } else {
        rc = real_of(f)->pMethods->xWrite(real_of(f), buf, n, off);
    }
    if (rc == SQLITE_OK && st.kind == Step::wal_sync) journal().add(Step::wal_write);
    return rc;
}

int x_truncate(sqlite3_file* f, sqlite3_int64 size) {
    auto& st = state_of(f);
    if (dead) return SQLITE_OK;
    if (!st.cached) return real_of(f)->pMethods->xTruncate(real_of(f), size);
    st.mem.resize(static_cast<std::size_t>(size), '\0');
    return SQLITE_OK;
}

int x_sync(sqlite3_file* f, int flags) {
    auto& st = state_of(f);
    if (dead) return SQLITE_OK;  // SQLite believes it; the disk never sees it
    auto* real = real_of(f);
    if (st.cached) {
        // What the kernel does at fsync: write the dirty pages, then the size.
        for (auto [off, len] : st.dirty) {
            const auto size = static_cast<sqlite3_int64>(st.mem.size());
            if (off >= size) continue;
            len = std::min(len, size - off);
            if (int rc = real->pMethods->xWrite(real, st.mem.data() + off, static_cast<int>(len), off))
                return rc;
        }
        st.dirty.clear();
        if (int rc = real->pMethods->xTruncate(real, static_cast<sqlite3_int64>(st.mem.size())))
            return rc;
    }
    const int rc = real->pMethods->xSync(real, flags);
    // Recorded once the data is on disk, i.e. after the real fsync returned.
    if (rc == SQLITE_OK) journal().add(st.kind);
    return rc;
}

int x_file_size(sqlite3_file* f, sqlite3_int64* size) {
    auto& st = state_of(f);
    if (!st.cached) return real_of(f)->pMethods->xFileSize(real_of(f), size);
    *size = static_cast<sqlite3_int64>(st.mem.size());
    return SQLITE_OK;
}

int x_lock(sqlite3_file* f, int lock) { return real_of(f)->pMethods->xLock(real_of(f), lock); }
int x_unlock(sqlite3_file* f, int lock) { return real_of(f)->pMethods->xUnlock(real_of(f), lock); }
int x_check_reserved(sqlite3_file* f, int* out) {
    return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out);
}
int x_file_control(sqlite3_file* f, int op, void* arg) {
    // A size hint would make the unix VFS grow the real file behind the cache's back.
    if (state_of(f).cached && op == SQLITE_FCNTL_SIZE_HINT) return SQLITE_OK;
    return real_of(f)->pMethods->xFileControl(real_of(f), op, arg);
}
int x_sector_size(sqlite3_file* f) { return real_of(f)->pMethods->xSectorSize(real_of(f)); }
int x_device_characteristics(sqlite3_file* f) {
    return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f));
}
// The wal-index (-shm) is shared memory that SQLite rebuilds from the WAL after a crash.
int x_shm_map(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
    return real_of(f)->pMethods->xShmMap(real_of(f), region, size, extend, out);
}
int x_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
    return real_of(f)->pMethods->xShmLock(real_of(f), offset, n, flags);
}
void x_shm_barrier(sqlite3_file* f) { real_of(f)->pMethods->xShmBarrier(real_of(f)); }
int x_shm_unmap(sqlite3_file* f, int del) { return real_of(f)->pMethods->xShmUnmap(real_of(f), del); }
// No memory-mapped reads: they would bypass the cache. SQLite then reads with xRead.
int x_fetch(sqlite3_file*, sqlite3_int64, int, void** out) {
    *out = nullptr;
    return SQLITE_OK;
}
int x_unfetch(sqlite3_file*, sqlite3_int64, void*) { return SQLITE_OK; }

int x_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
    auto* rf = rec(f);
    rf->base.pMethods = nullptr;  // SQLite calls no xClose when xOpen fails
    rf->state = nullptr;
    rf->real = reinterpret_cast<sqlite3_file*>(rf + 1);
    const Step kind = (flags & SQLITE_OPEN_WAL)       ? Step::wal_sync
                      : (flags & SQLITE_OPEN_MAIN_DB) ? Step::db_sync
                                                      : Step::other_sync;
    int rc = real_vfs->xOpen(real_vfs, name, rf->real, flags, out_flags);
    if (rc != SQLITE_OK || !rf->real->pMethods) return rc;
    auto state = std::make_unique<FileState>();
    state->kind = kind;
    if (volatile_cache && name) {
        // The cache starts as what the disk holds.
        sqlite3_int64 size = 0;
        rc = rf->real->pMethods->xFileSize(rf->real, &size);
        if (rc == SQLITE_OK && size > 0) {
            state->mem.resize(static_cast<std::size_t>(size));
            rc = rf->real->pMethods->xRead(rf->real, state->mem.data(), static_cast<int>(size), 0);
        }
        if (rc != SQLITE_OK) {
            rf->real->pMethods->xClose(rf->real);
            return rc;
        }
        state->cached = true;
    }
    static std::once_flag once;
    std::call_once(once, [&] {
        methods = sqlite3_io_methods{std::min(rf->real->pMethods->iVersion, 3),
                                     x_close, x_read, x_write, x_truncate, x_sync, x_file_size,
                                     x_lock, x_unlock, x_check_reserved, x_file_control,
                                     x_sector_size, x_device_characteristics, x_shm_map,
                                     x_shm_lock, x_shm_barrier, x_shm_unmap, x_fetch, x_unfetch};
    });
    rf->state = state.release();
    rf->base.pMethods = &methods;
    return SQLITE_OK;
}

int x_delete(sqlite3_vfs*, const char* name, int sync_dir) {
    if (dead) return SQLITE_OK;
    return real_vfs->xDelete(real_vfs, name, sync_dir);
}
int x_access(sqlite3_vfs*, const char* name, int flags, int* out) {
    return real_vfs->xAccess(real_vfs, name, flags, out);
}
int x_full_pathname(sqlite3_vfs*, const char* name, int n, char* out) {
    return real_vfs->xFullPathname(real_vfs, name, n, out);
}
void* x_dl_open(sqlite3_vfs*, const char* name) { return real_vfs->xDlOpen(real_vfs, name); }
void x_dl_error(sqlite3_vfs*, int n, char* msg) { real_vfs->xDlError(real_vfs, n, msg); }
void (*x_dl_sym(sqlite3_vfs*, void* h, const char* sym))(void) { return real_vfs->xDlSym(real_vfs, h, sym); }
void x_dl_close(sqlite3_vfs*, void* h) { real_vfs->xDlClose(real_vfs, h); }
int x_randomness(sqlite3_vfs*, int n, char* out) { return real_vfs->xRandomness(real_vfs, n, out); }
int x_sleep(sqlite3_vfs*, int us) { return real_vfs->xSleep(real_vfs, us); }
int x_current_time(sqlite3_vfs*, double* out) { return real_vfs->xCurrentTime(real_vfs, out); }
int x_last_error(sqlite3_vfs*, int n, char* out) {
    return real_vfs->xGetLastError ? real_vfs->xGetLastError(real_vfs, n, out) : 0;
}
int x_current_time_int64(sqlite3_vfs*, sqlite3_int64* out) {
    return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

constexpr const char* kName = "avmon-test-recording";

}  // namespace

void install() {
    static std::once_flag once;
    std::call_once(once, [] {
        real_vfs = sqlite3_vfs_find(nullptr);
        if (!real_vfs || real_vfs->iVersion < 2)
            throw std::runtime_error("recording VFS: no usable default SQLite VFS");
        static sqlite3_vfs vfs{};
        vfs.iVersion = 2;
        vfs.szOsFile = static_cast<int>(sizeof(RecordingFile)) + real_vfs->szOsFile;
        vfs.mxPathname = real_vfs->mxPathname;
        vfs.zName = kName;
        vfs.xOpen = x_open;
        vfs.xDelete = x_delete;
        vfs.xAccess = x_access;
        vfs.xFullPathname = x_full_pathname;
        vfs.xDlOpen = x_dl_open;
        vfs.xDlError = x_dl_error;
        vfs.xDlSym = x_dl_sym;
        vfs.xDlClose = x_dl_close;
        vfs.xRandomness = x_randomness;
        vfs.xSleep = x_sleep;
        vfs.xCurrentTime = x_current_time;
        vfs.xGetLastError = x_last_error;
        vfs.xCurrentTimeInt64 = x_current_time_int64;
        if (sqlite3_vfs_register(&vfs, 1) != SQLITE_OK)
            throw std::runtime_error("recording VFS: sqlite3_vfs_register failed");
    });
    if (std::string(sqlite3_vfs_find(nullptr)->zName) != kName)
        throw std::runtime_error("recording VFS: not the default VFS");
}

void set_volatile_cache(bool on) { volatile_cache = on; }
void power_cut() { dead = true; }
void restore_power() { dead = false; }
bool powered() { return !dead; }

}  // namespace avmon::store::test::vfs
