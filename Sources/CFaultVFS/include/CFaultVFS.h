#ifndef LOGQ_CFAULTVFS_H
#define LOGQ_CFAULTVFS_H

/* Fault injection for tests: one counter over the I/O operations of SQLite (through the
 * "logq-fault" VFS: xWrite, xSync, xTruncate) and of the store's file-system seam (which calls
 * logq_fault_next for each of its operations), so that a sweep can fail every step in turn. */

enum {
    LOGQ_FAULT_NONE = 0,
    LOGQ_FAULT_EIO = 1,
    LOGQ_FAULT_ENOSPC = 2,
    LOGQ_FAULT_TORN = 3,   /* a write: half of it lands, then EIO */
    LOGQ_FAULT_POWER = 4   /* operations 1..at succeed, every later one fails (the machine is off) */
};

/* Registers the "logq-fault" VFS (not as the default); returns an SQLite result code. */
int logq_fault_register(void);
/* Resets the counter and arms `kind` at operation `at` (1-based; 0: count only). */
void logq_fault_arm(int kind, long at);
/* Operations counted since the last arm. */
long logq_fault_count(void);
/* Counts one operation; returns what to do with it: LOGQ_FAULT_NONE (proceed) or the fault. */
int logq_fault_next(void);
/* Whether a power loss has happened (every operation now fails). */
int logq_fault_dead(void);
/* The store's faulty file system fsynced the folder `dir` (no trailing slash): files SQLite
 * created in it now survive a power loss. */
void logq_fault_dir_synced(const char *dir);
/* Drops what SQLite wrote through the VFS after each file's last xSync (its files may be closed
 * since), and the files it created in a folder not fsynced since, as a power loss would. Returns 0, or -1 when an undo could not be applied. */
int logq_fault_drop_unsynced(void);

#endif
