// A wrapper over SQLite's default VFS for the fault-injection tests (see CFaultVFS.h). Only a
// database opened with this VFS by name sees it; it is not the default.
#include "CFaultVFS.h"
#include <sqlite3.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <errno.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int armedKind = LOGQ_FAULT_NONE;
static long armedAt = 0, counted = 0;
static int dead = 0;

typedef struct Undo { struct Undo *next; sqlite3_int64 off; int len; unsigned char data[]; } Undo;
// created: 1, made since the last sync of its folder (logq_fault_dir_synced); 2, a WAL, whose
// folder the unix VFS syncs itself at the WAL's first sync. A power loss removes it.
typedef struct Track { struct Track *next; char *path; sqlite3_int64 syncedSize; int dirty, created; Undo *undo; } Track;
static Track *tracks = NULL;
static void clearUndo(Track *t) {
    while (t->undo) { Undo *u = t->undo; t->undo = u->next; free(u); }
}
// Tracks are never freed (an open file points at its own): a new run starts from the files as they are.
static void resetTracks(void) {
    for (Track *t = tracks; t; t = t->next) {
        clearUndo(t); t->dirty = 0; t->created = 0;
        struct stat st;
        t->syncedSize = stat(t->path, &st) == 0 ? st.st_size : 0;
    }
}

void logq_fault_arm(int kind, long at) {
    pthread_mutex_lock(&mu);
    armedKind = kind; armedAt = at; counted = 0; dead = 0;
    resetTracks();
    pthread_mutex_unlock(&mu);
}

long logq_fault_count(void) {
    pthread_mutex_lock(&mu); long n = counted; pthread_mutex_unlock(&mu);
    return n;
}

int logq_fault_dead(void) {
    pthread_mutex_lock(&mu); int d = dead; pthread_mutex_unlock(&mu);
    return d;
}

int logq_fault_next(void) {
    pthread_mutex_lock(&mu);
    int r = LOGQ_FAULT_NONE;
    if (dead) r = LOGQ_FAULT_POWER;
    else {
        counted++;
        if (armedKind == LOGQ_FAULT_POWER && armedAt > 0 && counted > armedAt) { dead = 1; r = LOGQ_FAULT_POWER; }
        else if (armedKind != LOGQ_FAULT_POWER && armedAt > 0 && counted == armedAt) r = armedKind;
    }
    pthread_mutex_unlock(&mu);
    return r;
}

// What a power loss takes back (Track): per file, the old bytes under every write since its last
// sync (newest first) and its size at that sync. Kept after the file is closed.

static Track *track(const char *path, sqlite3_file *real) {
    for (Track *t = tracks; t; t = t->next) if (strcmp(t->path, path) == 0) return t;
    Track *t = calloc(1, sizeof(Track));
    t->path = strdup(path);
    sqlite3_int64 size = 0;
    if (real->pMethods && real->pMethods->xFileSize(real, &size) != SQLITE_OK) size = 0;
    t->syncedSize = size;
    t->next = tracks; tracks = t;
    return t;
}

void logq_fault_dir_synced(const char *dir) {
    size_t n = strlen(dir);
    pthread_mutex_lock(&mu);
    for (Track *t = tracks; t; t = t->next) {
        const char *slash = strrchr(t->path, '/');
        if (slash && (size_t)(slash - t->path) == n && strncmp(t->path, dir, n) == 0) t->created = 0;
    }
    pthread_mutex_unlock(&mu);
}

int logq_fault_drop_unsynced(void) {
    int rc = 0;
    pthread_mutex_lock(&mu);
    for (Track *t = tracks; t; t = t->next) {
        if (t->created) { if (unlink(t->path) != 0 && errno != ENOENT) rc = -1; continue; }
        if (t->dirty) {
            int fd = open(t->path, O_WRONLY);
            if (fd >= 0) {
                for (Undo *u = t->undo; u; u = u->next) if (pwrite(fd, u->data, u->len, u->off) != u->len) rc = -1;
                if (ftruncate(fd, t->syncedSize) != 0) rc = -1;
                close(fd);
            }
        }
    }
    resetTracks();
    pthread_mutex_unlock(&mu);
    return rc;
}

typedef struct FaultFile {
    sqlite3_file base;
    Track *track;          // NULL for a temporary file
    sqlite3_file real[];   // the default VFS's file, szOsFile bytes
} FaultFile;

static sqlite3_vfs *realVFS = NULL;
#define REAL(f) (((FaultFile *)(f))->real)

// Saves the bytes [off, off+len) as they are now, so that a power loss can put them back.
static void remember(FaultFile *f, sqlite3_int64 off, int len) {
    if (!f->track) return;
    Undo *u = malloc(sizeof(Undo) + (size_t)len);
    u->off = off; u->len = len;
    memset(u->data, 0, (size_t)len);
    int rc = REAL(f)->pMethods->xRead(REAL(f), u->data, len, off);
    sqlite3_int64 size = 0;
    REAL(f)->pMethods->xFileSize(REAL(f), &size);
    if (rc == SQLITE_IOERR_SHORT_READ || off >= size) {
        // Beyond the end there is nothing to restore: the truncation to the synced size removes it.
        if (size <= off) { free(u); f->track->dirty = 1; return; }
        u->len = (int)(size - off);
    }
    pthread_mutex_lock(&mu);
    u->next = f->track->undo; f->track->undo = u; f->track->dirty = 1;
    pthread_mutex_unlock(&mu);
}

static int fClose(sqlite3_file *f) {
    int rc = REAL(f)->pMethods ? REAL(f)->pMethods->xClose(REAL(f)) : SQLITE_OK;
    return rc;
}
static int fRead(sqlite3_file *f, void *p, int n, sqlite3_int64 off) { return REAL(f)->pMethods->xRead(REAL(f), p, n, off); }
static int fWrite(sqlite3_file *f, const void *p, int n, sqlite3_int64 off) {
    int k = logq_fault_next();
    if (k == LOGQ_FAULT_EIO || k == LOGQ_FAULT_POWER) return SQLITE_IOERR_WRITE;
    if (k == LOGQ_FAULT_ENOSPC) return SQLITE_FULL;
    remember((FaultFile *)f, off, n);
    if (k == LOGQ_FAULT_TORN) { REAL(f)->pMethods->xWrite(REAL(f), p, n / 2, off); return SQLITE_IOERR_WRITE; }
    return REAL(f)->pMethods->xWrite(REAL(f), p, n, off);
}
static int fTruncate(sqlite3_file *f, sqlite3_int64 size) {
    int k = logq_fault_next();
    if (k != LOGQ_FAULT_NONE) return k == LOGQ_FAULT_ENOSPC ? SQLITE_FULL : SQLITE_IOERR_TRUNCATE;
    sqlite3_int64 now = 0;
    REAL(f)->pMethods->xFileSize(REAL(f), &now);
    if (now > size) remember((FaultFile *)f, size, (int)(now - size));
    return REAL(f)->pMethods->xTruncate(REAL(f), size);
}
static int fSync(sqlite3_file *f, int flags) {
    int k = logq_fault_next();
    if (k != LOGQ_FAULT_NONE) return k == LOGQ_FAULT_ENOSPC ? SQLITE_FULL : SQLITE_IOERR_FSYNC;
    // The disk is simulated (logq_fault_drop_unsynced): a real sync would only make the sweep slow.
    (void)flags;
    int rc = SQLITE_OK;
    FaultFile *ff = (FaultFile *)f;
    if (rc == SQLITE_OK && ff->track) {
        pthread_mutex_lock(&mu);
        clearUndo(ff->track); ff->track->dirty = 0;
        if (ff->track->created == 2) ff->track->created = 0;
        REAL(f)->pMethods->xFileSize(REAL(f), &ff->track->syncedSize);
        pthread_mutex_unlock(&mu);
    }
    return rc;
}
static int fFileSize(sqlite3_file *f, sqlite3_int64 *s) { return REAL(f)->pMethods->xFileSize(REAL(f), s); }
static int fLock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xLock(REAL(f), l); }
static int fUnlock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xUnlock(REAL(f), l); }
static int fCheckReserved(sqlite3_file *f, int *r) { return REAL(f)->pMethods->xCheckReservedLock(REAL(f), r); }
static int fFileControl(sqlite3_file *f, int op, void *a) { return REAL(f)->pMethods->xFileControl(REAL(f), op, a); }
static int fSectorSize(sqlite3_file *f) { return REAL(f)->pMethods->xSectorSize(REAL(f)); }
static int fDeviceChar(sqlite3_file *f) { return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f)); }
static int fShmMap(sqlite3_file *f, int i, int sz, int ext, void volatile **pp) { return REAL(f)->pMethods->xShmMap(REAL(f), i, sz, ext, pp); }
static int fShmLock(sqlite3_file *f, int off, int n, int flags) { return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags); }
static void fShmBarrier(sqlite3_file *f) { REAL(f)->pMethods->xShmBarrier(REAL(f)); }
static int fShmUnmap(sqlite3_file *f, int del) { return REAL(f)->pMethods->xShmUnmap(REAL(f), del); }
// No memory-mapped I/O through this VFS: every page write goes through fWrite.
static int fFetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp) { (void)f; (void)off; (void)n; *pp = 0; return SQLITE_OK; }
static int fUnfetch(sqlite3_file *f, sqlite3_int64 off, void *p) { (void)f; (void)off; (void)p; return SQLITE_OK; }

static const sqlite3_io_methods methods = {
    3, fClose, fRead, fWrite, fTruncate, fSync, fFileSize, fLock, fUnlock, fCheckReserved,
    fFileControl, fSectorSize, fDeviceChar, fShmMap, fShmLock, fShmBarrier, fShmUnmap, fFetch, fUnfetch,
};

static int vOpen(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *outFlags) {
    (void)vfs;
    FaultFile *f = (FaultFile *)file;
    memset(f, 0, sizeof(FaultFile));
    struct stat st;
    int existed = name && stat(name, &st) == 0;
    int rc = realVFS->xOpen(realVFS, name, f->real, flags, outFlags);
    if (rc != SQLITE_OK) { f->base.pMethods = 0; return rc; }
    f->base.pMethods = &methods;
    if (name) {
        pthread_mutex_lock(&mu);
        f->track = track(name, f->real);
        if (!existed) {
            clearUndo(f->track); f->track->dirty = 0; f->track->syncedSize = 0;
            f->track->created = (flags & SQLITE_OPEN_WAL) ? 2 : 1;
        }
        pthread_mutex_unlock(&mu);
    }
    return SQLITE_OK;
}
static int vDelete(sqlite3_vfs *vfs, const char *name, int syncDir) {
    (void)vfs;
    if (logq_fault_dead()) return SQLITE_IOERR_DELETE;
    return realVFS->xDelete(realVFS, name, syncDir);
}
static int vAccess(sqlite3_vfs *v, const char *n, int f, int *r) { (void)v; return realVFS->xAccess(realVFS, n, f, r); }
static int vFullPathname(sqlite3_vfs *v, const char *n, int sz, char *out) { (void)v; return realVFS->xFullPathname(realVFS, n, sz, out); }
static void *vDlOpen(sqlite3_vfs *v, const char *n) { (void)v; return realVFS->xDlOpen(realVFS, n); }
static void vDlError(sqlite3_vfs *v, int n, char *m) { (void)v; realVFS->xDlError(realVFS, n, m); }
static void (*vDlSym(sqlite3_vfs *v, void *h, const char *s))(void) { (void)v; return realVFS->xDlSym(realVFS, h, s); }
static void vDlClose(sqlite3_vfs *v, void *h) { (void)v; realVFS->xDlClose(realVFS, h); }
static int vRandomness(sqlite3_vfs *v, int n, char *out) { (void)v; return realVFS->xRandomness(realVFS, n, out); }
static int vSleep(sqlite3_vfs *v, int us) { (void)v; return realVFS->xSleep(realVFS, us); }
static int vCurrentTime(sqlite3_vfs *v, double *t) { (void)v; return realVFS->xCurrentTime(realVFS, t); }
static int vGetLastError(sqlite3_vfs *v, int n, char *m) { (void)v; return realVFS->xGetLastError(realVFS, n, m); }
static int vCurrentTimeInt64(sqlite3_vfs *v, sqlite3_int64 *t) { (void)v; return realVFS->xCurrentTimeInt64(realVFS, t); }

static sqlite3_vfs faultVFS;

int logq_fault_register(void) {
    pthread_mutex_lock(&mu);
    if (realVFS) { pthread_mutex_unlock(&mu); return SQLITE_OK; }
    realVFS = sqlite3_vfs_find("unix");
    if (!realVFS) { pthread_mutex_unlock(&mu); return SQLITE_ERROR; }
    faultVFS = (sqlite3_vfs){
        2, (int)sizeof(FaultFile) + realVFS->szOsFile, realVFS->mxPathname, 0, "logq-fault", 0,
        vOpen, vDelete, vAccess, vFullPathname, vDlOpen, vDlError, vDlSym, vDlClose,
        vRandomness, vSleep, vCurrentTime, vGetLastError, vCurrentTimeInt64,
    };
    pthread_mutex_unlock(&mu);
    return sqlite3_vfs_register(&faultVFS, 0);
}
