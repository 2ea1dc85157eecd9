# The only RPC definition between jvmos (the monitor, on behalf of the guest) and jvmos-proxy
# (linux-proxy/), which performs POSIX calls on Linux.
#
# Principles:
#  * An open file, directory, pipe or terminal is a capability (`Handle`), never an integer.
#    Dropping the last reference closes it on the proxy; the guest never sees a host fd number.
#  * Path calls are made on a directory Handle with openat(2) semantics; the proxy resolves every
#    path beneath the session's mount table and never lets one reach a host file outside it.
#  * A POSIX failure is data: every method returns `errno` (0 on success, else a positive Linux
#    errno). An RPC exception means a broken connection or a malformed message, never an errno.
#  * Common sequences cost one round trip: `openAt` also returns the new file's `stat` (open then
#    fstat), and calls on a Handle returned by a still-pending `openAt` are pipelined.
#  * The proxy treats every message as hostile: lengths are capped (see MAX_IO), flags are
#    validated, and a malformed request gets EINVAL, not a crash.
@0xd5a6a4d8b6b1c3e7;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("jvmos::proto");

const maxIo :UInt32 = 1048576;
# Largest `count` / data length of a single read/write-family call (1 MiB). Larger guest
# requests are split by the shipper; larger requests to the proxy fail with EINVAL.

const maxPath :UInt32 = 4096;
# Longest path (bytes, without the terminating NUL), as Linux's PATH_MAX.

const maxPollEntries :UInt32 = 32768;
# Most entries of one Session.poll (a guest's poll/select of more shipped fds is refused with
# EINVAL by the proxy; the guest kernel never sends more than fit in a ship slot).

struct Stat {
  # struct stat as Linux x86-64 reports it (fields of newfstatat/statx that programs use).
  dev @0 :UInt64;
  ino @1 :UInt64;
  mode @2 :UInt32;      # file type and permission bits (S_IFMT | 07777)
  nlink @3 :UInt64;
  uid @4 :UInt32;
  gid @5 :UInt32;
  rdev @6 :UInt64;
  size @7 :Int64;
  blksize @8 :Int64;
  blocks @9 :Int64;     # 512-byte blocks
  atimeSec @10 :Int64;
  atimeNsec @11 :Int64;
  mtimeSec @12 :Int64;
  mtimeNsec @13 :Int64;
  ctimeSec @14 :Int64;
  ctimeNsec @15 :Int64;
}

struct StatFs {
  # struct statfs (fstatfs(2)).
  type @0 :Int64;       # f_type magic (e.g. EXT4_SUPER_MAGIC, TMPFS_MAGIC)
  bsize @1 :Int64;
  blocks @2 :UInt64;
  bfree @3 :UInt64;
  bavail @4 :UInt64;
  files @5 :UInt64;
  ffree @6 :UInt64;
  fsid @7 :UInt64;      # f_fsid as one 64-bit value (val[0] | val[1] << 32)
  namelen @8 :Int64;
  frsize @9 :Int64;
  flags @10 :Int64;     # ST_* mount flags; includes ST_RDONLY for a read-only mount
}

struct TimeSpec {
  # One timestamp of utimensat(2).
  sec @0 :Int64;
  nsec @1 :Int64;       # 0..999999999, or UTIME_NOW (0x3fffffff) / UTIME_OMIT (0x3ffffffe)
}

struct FileLock {
  # struct flock (fcntl(2) record locks), field by field.
  type @0 :Int16;       # F_RDLCK 0, F_WRLCK 1, F_UNLCK 2
  whence @1 :Int16;     # SEEK_SET, SEEK_CUR (the Handle's file position), SEEK_END
  start @2 :Int64;
  len @3 :Int64;        # 0: to the end of the file, however far it grows
  pid @4 :Int32;        # in: 0 (OFD commands require it); out: see Handle.lock
}

struct PollEntry {
  # One shipped fd of a poll(2)/select(2) set.
  handle @0 :Handle;    # a Handle of this session (another capability: EBADF)
  events @1 :UInt16;    # POLLIN 0x1, POLLPRI 0x2, POLLOUT 0x4, POLLRDNORM 0x40, POLLRDBAND 0x80,
                        # POLLWRNORM 0x100, POLLWRBAND 0x200, POLLRDHUP 0x2000; other bits are
                        # ignored. POLLERR, POLLHUP and POLLNVAL are always reported.
}

struct Mount {
  # One entry of the session's mount table: host directory `hostPath` appears at `guestPath`.
  hostPath @0 :Text;    # absolute host path of a directory
  guestPath @1 :Text;   # absolute guest path ("/" for the root); the longest match wins
  readOnly @2 :Bool;    # writes beneath it fail with EROFS
}

struct SessionConfig {
  mounts @0 :List(Mount);   # must include a mount at "/" (guest paths outside every mount: ENOENT)
  cwd @1 :Text;             # the guest's starting directory (absolute guest path)
}

interface ProxyService {
  # The proxy's bootstrap capability. One session per guest; a standalone proxy serves many.
  newSession @0 (config :SessionConfig, stdio :StdioSource) -> (session :Session, errno :Int32);
  # errno: EINVAL for a malformed config (relative paths, no "/" mount), ENOENT/ENOTDIR/EACCES
  # when a mount's host directory cannot be opened or the cwd does not resolve.
}

struct StdioSource {
  # Where the guest's fds 0, 1, 2 come from.
  union {
    inherited @0 :Void;
    # The proxy's own fds 0, 1, 2 (the jvmos command's, when jvmos started the proxy itself
    # and handed it its stdio).
    handles @1 :List(Handle);
    # Three handles (stdin, stdout, stderr) served by the caller, for a proxy that cannot
    # receive the monitor's fds (another host).
  }
}

interface Session {
  root @0 () -> (dir :Handle);
  # The guest's "/" (for absolute paths and openat with an absolute path).

  cwd @1 () -> (dir :Handle, path :Text);
  # The starting working directory and its guest path. chdir is the guest's business: it opens
  # the new directory (O_PATH|O_DIRECTORY) and keeps that Handle and path.

  stdio @2 () -> (stdin :Handle, stdout :Handle, stderr :Handle);

  pipe @3 (flags :UInt32) -> (errno :Int32, readEnd :Handle, writeEnd :Handle);
  # pipe2(2); flags: O_NONBLOCK only (O_CLOEXEC is the guest's fd-table business).

  socketpair @4 (type :UInt32) -> (errno :Int32, first :Handle, second :Handle);
  # socketpair(AF_UNIX, type, 0): SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET, plus
  # SOCK_NONBLOCK (SOCK_CLOEXEC is the guest's business). The JDK's NIO needs one at start-up.

  poll @5 (entries :List(PollEntry), timeoutNs :Int64, token :UInt64)
      -> (errno :Int32, ready :UInt32, revents :List(UInt16));
  # poll(2) of several Handles at once (one round trip for a guest's whole poll/select set):
  # waits until at least one entry is ready or `timeoutNs` (0: do not wait, negative: no limit)
  # has passed. `revents` has one value per entry (as poll(2) reports it); `ready` counts the
  # nonzero ones (0: timed out). A set that is ready now is answered at once; a wait runs on a
  # worker, never on the event loop. errno: EINVAL for more than maxPollEntries entries, EBADF
  # when an entry's Handle is not one of this session's; EINTR when `interrupt` ended the wait
  # with nothing ready. `token` (0: none) names the call for `interrupt`.

  interrupt @6 (token :UInt64) -> ();
  # As Handle.interrupt, for a session call (poll) made with `token`.
}

interface Handle {
  # An open file description: a file, directory (also O_PATH), pipe end or terminal. Methods
  # that do not apply return the errno Linux gives (EBADF, ENOTDIR, ESPIPE, ENOTTY, EISDIR...).

  # ---- I/O --------------------------------------------------------------------------------
  read @0 (count :UInt32, token :UInt64) -> (errno :Int32, data :Data);
  # read(2) at the file position; empty data at end of file. May block (pipe, terminal): the
  # proxy runs it so that it never blocks its event loop or other calls. `token` (0: none)
  # names the call for `interrupt`, as for write and flock.
  write @1 (data :Data, token :UInt64) -> (errno :Int32, written :UInt32);
  pread @2 (count :UInt32, offset :Int64) -> (errno :Int32, data :Data);
  pwrite @3 (data :Data, offset :Int64) -> (errno :Int32, written :UInt32);
  seek @4 (offset :Int64, whence :UInt8) -> (errno :Int32, position :Int64);
  # lseek(2): SEEK_SET 0, SEEK_CUR 1, SEEK_END 2 (SEEK_DATA 3, SEEK_HOLE 4).

  # ---- metadata -------------------------------------------------------------------------
  stat @5 () -> (errno :Int32, stat :Stat);
  statfs @6 () -> (errno :Int32, statfs :StatFs);
  truncate @7 (length :Int64) -> (errno :Int32);
  sync @8 (dataOnly :Bool) -> (errno :Int32);           # fsync / fdatasync
  flock @9 (operation :UInt32, token :UInt64) -> (errno :Int32);  # LOCK_SH/EX/UN | LOCK_NB
  getStatusFlags @10 () -> (errno :Int32, flags :UInt32);  # F_GETFL
  setStatusFlags @11 (flags :UInt32) -> (errno :Int32);    # F_SETFL (O_APPEND, O_NONBLOCK...)
  ioctl @12 (request :UInt32, arg :Data) -> (errno :Int32, result :Int32, arg :Data);
  # Only TCGETS, TIOCGWINSZ and FIONREAD (arg in/out bytes of the request's struct); any
  # other request: ENOTTY.
  chmod @13 (mode :UInt32) -> (errno :Int32);           # fchmod
  getdents @14 (maxBytes :UInt32) -> (errno :Int32, data :Data);
  # getdents64(2): packed struct linux_dirent64 records, as Linux returns them.

  # ---- path calls relative to this directory (openat semantics) ----------------------------
  # `path` is relative to this Handle, or absolute (then resolved from the session root).
  # `flags` carry the AT_* bits where Linux has them (AT_SYMLINK_NOFOLLOW 0x100,
  # AT_REMOVEDIR 0x200, AT_EMPTY_PATH 0x1000, AT_EACCESS 0x200 for access).
  openAt @15 (path :Text, flags :UInt32, mode :UInt32)
      -> (errno :Int32, handle :Handle, stat :Stat);
  # openat(2) with Linux O_* flags (O_CLOEXEC is ignored: it is the guest's business). Returns
  # the new file's stat too, so open+fstat is one round trip.
  statAt @16 (path :Text, flags :UInt32) -> (errno :Int32, stat :Stat);
  # newfstatat(2); AT_EMPTY_PATH with an empty path stats this Handle.
  readlinkAt @17 (path :Text, maxBytes :UInt32) -> (errno :Int32, target :Data);
  # EINVAL when the path is not a symbolic link (glibc's realpath relies on it).
  accessAt @18 (path :Text, mode :UInt32, flags :UInt32) -> (errno :Int32);
  mkdirAt @19 (path :Text, mode :UInt32) -> (errno :Int32);
  unlinkAt @20 (path :Text, flags :UInt32) -> (errno :Int32);
  renameAt @21 (oldPath :Text, newDir :Handle, newPath :Text, flags :UInt32) -> (errno :Int32);
  # renameat2(2); newDir must be a Handle of the same session.
  chmodAt @22 (path :Text, mode :UInt32, flags :UInt32) -> (errno :Int32);

  # ---- copying between two open files, without the bytes crossing the connection ----------
  copyRange @23 (target :Handle, inOffset :Int64, outOffset :Int64, length :UInt64)
      -> (errno :Int32, copied :UInt64);
  # copy_file_range(2) from this Handle to `target` (a Handle of the same session): up to
  # `length` bytes (the proxy may copy less; callers loop), at the given offsets or, for -1,
  # at and advancing each file's position. 0 copied at end of file.

  # ---- links, ownership, times ----------------------------------------------------------
  symlinkAt @24 (target :Text, path :Text) -> (errno :Int32);
  # symlinkat(2): creates `path` (relative to this directory) as a symbolic link to `target`.
  # The target is stored verbatim (1..4095 bytes, else ENOENT/ENAMETOOLONG) and not resolved
  # now; a later lookup through the link interprets it in the guest's namespace, like any
  # link beneath the mounts.
  linkAt @25 (oldPath :Text, newDir :Handle, newPath :Text, flags :UInt32) -> (errno :Int32);
  # linkat(2); flags AT_SYMLINK_FOLLOW (follow a final symlink of oldPath) and AT_EMPTY_PATH
  # (an empty oldPath links this Handle's file). newDir must be a Handle of the same session.
  # Both names must be in the same mount, else EXDEV as across Linux mounts: a hard link never
  # makes a file of a read-only mount writable through another mount.
  chownAt @26 (path :Text, uid :UInt32, gid :UInt32, flags :UInt32) -> (errno :Int32);
  # fchownat(2); 0xffffffff leaves an id unchanged. AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH (an
  # empty path is this Handle: fchown). The host decides EPERM, as Linux would for the proxy's
  # user.
  setTimesAt @27 (path :Text, atime :TimeSpec, mtime :TimeSpec, flags :UInt32)
      -> (errno :Int32);
  # utimensat(2) with both times given (a NULL times array is two UTIME_NOW); flags
  # AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH (an empty path is this Handle: futimens).

  # ---- record locks -----------------------------------------------------------------------
  lock @28 (command :UInt32, lock :FileLock, token :UInt64) -> (errno :Int32, lock :FileLock);
  # fcntl(2) with F_GETLK 5, F_SETLK 6, F_SETLKW 7, F_OFD_GETLK 36, F_OFD_SETLK 37 or
  # F_OFD_SETLKW 38 on the proxy's real file, so host processes see the locks. POSIX locks
  # belong to the proxy process: the guest is one process, so its own locks never conflict
  # with each other (a proxy serving several sessions makes them one owner; TODO(security):
  # per-session owners), and closing any Handle of a file drops them, as close(2) does on
  # Linux. OFD locks belong to the Handle's open file description. The SETLKW commands may
  # wait: on a worker, never blocking other calls; dropping the call cancels the wait. The
  # GETLK commands return the conflicting lock (type F_UNLCK if none) with the holder's host
  # pid, -1 for an OFD lock, and 0 when the holder is the proxy itself (the guest: it puts
  # its own pid there). `token` names a SETLKW call for `interrupt` (EINTR, as Linux's wait).

  # ---- signals ----------------------------------------------------------------------------
  interrupt @29 (token :UInt64) -> ();
  # A signal interrupted the guest thread waiting in the call made with `token` (nonzero,
  # unique among the calls in flight on this connection) on this Handle: if it still waits
  # (read, write, flock, lock), its wait ends and it returns EINTR, or its partial result if it
  # already transferred something. Nothing if the call is done or unknown. Sent after the call
  # on the same connection, so the call has reached the server first.
}
