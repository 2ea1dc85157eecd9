// Linux errno values (x86-64), their names and strerror() texts.
// Generated once from the Linux UAPI headers' numbers and glibc's messages; the numbers are ABI.
#pragma once

#include "base/types.h"

namespace jvmos {

// A Linux errno. Values are the Linux ABI numbers; `Errno::none` (0) is not an error.
enum class Errno : i32 {
    none = 0,
    EPERM = 1,
    ENOENT = 2,
    ESRCH = 3,
    EINTR = 4,
    EIO = 5,
    ENXIO = 6,
    E2BIG = 7,
    ENOEXEC = 8,
    EBADF = 9,
    ECHILD = 10,
    EAGAIN = 11,
    ENOMEM = 12,
    EACCES = 13,
    EFAULT = 14,
    ENOTBLK = 15,
    EBUSY = 16,
    EEXIST = 17,
    EXDEV = 18,
    ENODEV = 19,
    ENOTDIR = 20,
    EISDIR = 21,
    EINVAL = 22,
    ENFILE = 23,
    EMFILE = 24,
    ENOTTY = 25,
    ETXTBSY = 26,
    EFBIG = 27,
    ENOSPC = 28,
    ESPIPE = 29,
    EROFS = 30,
    EMLINK = 31,
    EPIPE = 32,
    EDOM = 33,
    ERANGE = 34,
    EDEADLK = 35,
    ENAMETOOLONG = 36,
    ENOLCK = 37,
    ENOSYS = 38,
    ENOTEMPTY = 39,
    ELOOP = 40,
    ENOMSG = 42,
    EIDRM = 43,
    ECHRNG = 44,
    EL2NSYNC = 45,
    EL3HLT = 46,
    EL3RST = 47,
    ELNRNG = 48,
    EUNATCH = 49,
    ENOCSI = 50,
    EL2HLT = 51,
    EBADE = 52,
    EBADR = 53,
    EXFULL = 54,
    ENOANO = 55,
    EBADRQC = 56,
    EBADSLT = 57,
    EBFONT = 59,
    ENOSTR = 60,
    ENODATA = 61,
    ETIME = 62,
    ENOSR = 63,
    ENONET = 64,
    ENOPKG = 65,
    EREMOTE = 66,
    ENOLINK = 67,
    EADV = 68,
    ESRMNT = 69,
    ECOMM = 70,
    EPROTO = 71,
    EMULTIHOP = 72,
    EDOTDOT = 73,
    EBADMSG = 74,
    EOVERFLOW = 75,
    ENOTUNIQ = 76,
    EBADFD = 77,
    EREMCHG = 78,
    ELIBACC = 79,
    ELIBBAD = 80,
    ELIBSCN = 81,
    ELIBMAX = 82,
    ELIBEXEC = 83,
    EILSEQ = 84,
    ERESTART = 85,
    ESTRPIPE = 86,
    EUSERS = 87,
    ENOTSOCK = 88,
    EDESTADDRREQ = 89,
    EMSGSIZE = 90,
    EPROTOTYPE = 91,
    ENOPROTOOPT = 92,
    EPROTONOSUPPORT = 93,
    ESOCKTNOSUPPORT = 94,
    EOPNOTSUPP = 95,
    EPFNOSUPPORT = 96,
    EAFNOSUPPORT = 97,
    EADDRINUSE = 98,
    EADDRNOTAVAIL = 99,
    ENETDOWN = 100,
    ENETUNREACH = 101,
    ENETRESET = 102,
    ECONNABORTED = 103,
    ECONNRESET = 104,
    ENOBUFS = 105,
    EISCONN = 106,
    ENOTCONN = 107,
    ESHUTDOWN = 108,
    ETOOMANYREFS = 109,
    ETIMEDOUT = 110,
    ECONNREFUSED = 111,
    EHOSTDOWN = 112,
    EHOSTUNREACH = 113,
    EALREADY = 114,
    EINPROGRESS = 115,
    ESTALE = 116,
    EUCLEAN = 117,
    ENOTNAM = 118,
    ENAVAIL = 119,
    EISNAM = 120,
    EREMOTEIO = 121,
    EDQUOT = 122,
    ENOMEDIUM = 123,
    EMEDIUMTYPE = 124,
    ECANCELED = 125,
    ENOKEY = 126,
    EKEYEXPIRED = 127,
    EKEYREVOKED = 128,
    EKEYREJECTED = 129,
    EOWNERDEAD = 130,
    ENOTRECOVERABLE = 131,
    ERFKILL = 132,
    EHWPOISON = 133,
    // Kernel-internal codes (Linux's include/linux/errno.h), never seen by the program: a
    // blocking call a signal interrupted returns one, and the signal-delivery path turns it into
    // EINTR or a restart of the call (signal/signal.h, deliver_pending).
    ERESTARTSYS = 512,           // restart if the handler has SA_RESTART (or no handler ran)
    ERESTARTNOINTR = 513,        // always restart
    ERESTARTNOHAND = 514,        // restart only if no handler ran
    ERESTART_RESTARTBLOCK = 516, // if no handler ran: restart_syscall(2) resumes it
};

// Maximum errno value; -4095..-1 is the error range of a raw syscall return.
inline constexpr i32 JVMOS_ERRNO_MAX = 4095;

// The errno's symbolic name ("ENOENT"), or nullptr if unknown.
constexpr const char* errno_name(Errno e) {
    switch (e) {
    case Errno::none: return "0";
    case Errno::EPERM: return "EPERM";
    case Errno::ENOENT: return "ENOENT";
    case Errno::ESRCH: return "ESRCH";
    case Errno::EINTR: return "EINTR";
    case Errno::EIO: return "EIO";
    case Errno::ENXIO: return "ENXIO";
    case Errno::E2BIG: return "E2BIG";
    case Errno::ENOEXEC: return "ENOEXEC";
    case Errno::EBADF: return "EBADF";
    case Errno::ECHILD: return "ECHILD";
    case Errno::EAGAIN: return "EAGAIN";
    case Errno::ENOMEM: return "ENOMEM";
    case Errno::EACCES: return "EACCES";
    case Errno::EFAULT: return "EFAULT";
    case Errno::ENOTBLK: return "ENOTBLK";
    case Errno::EBUSY: return "EBUSY";
    case Errno::EEXIST: return "EEXIST";
    case Errno::EXDEV: return "EXDEV";
    case Errno::ENODEV: return "ENODEV";
    case Errno::ENOTDIR: return "ENOTDIR";
    case Errno::EISDIR: return "EISDIR";
    case Errno::EINVAL: return "EINVAL";
    case Errno::ENFILE: return "ENFILE";
    case Errno::EMFILE: return "EMFILE";
    case Errno::ENOTTY: return "ENOTTY";
    case Errno::ETXTBSY: return "ETXTBSY";
    case Errno::EFBIG: return "EFBIG";
    case Errno::ENOSPC: return "ENOSPC";
    case Errno::ESPIPE: return "ESPIPE";
    case Errno::EROFS: return "EROFS";
    case Errno::EMLINK: return "EMLINK";
    case Errno::EPIPE: return "EPIPE";
    case Errno::EDOM: return "EDOM";
    case Errno::ERANGE: return "ERANGE";
    case Errno::EDEADLK: return "EDEADLK";
    case Errno::ENAMETOOLONG: return "ENAMETOOLONG";
    case Errno::ENOLCK: return "ENOLCK";
    case Errno::ENOSYS: return "ENOSYS";
    case Errno::ENOTEMPTY: return "ENOTEMPTY";
    case Errno::ELOOP: return "ELOOP";
    case Errno::ENOMSG: return "ENOMSG";
    case Errno::EIDRM: return "EIDRM";
    case Errno::ECHRNG: return "ECHRNG";
    case Errno::EL2NSYNC: return "EL2NSYNC";
    case Errno::EL3HLT: return "EL3HLT";
    case Errno::EL3RST: return "EL3RST";
    case Errno::ELNRNG: return "ELNRNG";
    case Errno::EUNATCH: return "EUNATCH";
    case Errno::ENOCSI: return "ENOCSI";
    case Errno::EL2HLT: return "EL2HLT";
    case Errno::EBADE: return "EBADE";
    case Errno::EBADR: return "EBADR";
    case Errno::EXFULL: return "EXFULL";
    case Errno::ENOANO: return "ENOANO";
    case Errno::EBADRQC: return "EBADRQC";
    case Errno::EBADSLT: return "EBADSLT";
    case Errno::EBFONT: return "EBFONT";
    case Errno::ENOSTR: return "ENOSTR";
    case Errno::ENODATA: return "ENODATA";
    case Errno::ETIME: return "ETIME";
    case Errno::ENOSR: return "ENOSR";
    case Errno::ENONET: return "ENONET";
    case Errno::ENOPKG: return "ENOPKG";
    case Errno::EREMOTE: return "EREMOTE";
    case Errno::ENOLINK: return "ENOLINK";
    case Errno::EADV: return "EADV";
    case Errno::ESRMNT: return "ESRMNT";
    case Errno::ECOMM: return "ECOMM";
    case Errno::EPROTO: return "EPROTO";
    case Errno::EMULTIHOP: return "EMULTIHOP";
    case Errno::EDOTDOT: return "EDOTDOT";
    case Errno::EBADMSG: return "EBADMSG";
    case Errno::EOVERFLOW: return "EOVERFLOW";
    case Errno::ENOTUNIQ: return "ENOTUNIQ";
    case Errno::EBADFD: return "EBADFD";
    case Errno::EREMCHG: return "EREMCHG";
    case Errno::ELIBACC: return "ELIBACC";
    case Errno::ELIBBAD: return "ELIBBAD";
    case Errno::ELIBSCN: return "ELIBSCN";
    case Errno::ELIBMAX: return "ELIBMAX";
    case Errno::ELIBEXEC: return "ELIBEXEC";
    case Errno::EILSEQ: return "EILSEQ";
    case Errno::ERESTART: return "ERESTART";
    case Errno::ESTRPIPE: return "ESTRPIPE";
    case Errno::EUSERS: return "EUSERS";
    case Errno::ENOTSOCK: return "ENOTSOCK";
    case Errno::EDESTADDRREQ: return "EDESTADDRREQ";
    case Errno::EMSGSIZE: return "EMSGSIZE";
    case Errno::EPROTOTYPE: return "EPROTOTYPE";
    case Errno::ENOPROTOOPT: return "ENOPROTOOPT";
    case Errno::EPROTONOSUPPORT: return "EPROTONOSUPPORT";
    case Errno::ESOCKTNOSUPPORT: return "ESOCKTNOSUPPORT";
    case Errno::EOPNOTSUPP: return "EOPNOTSUPP";
    case Errno::EPFNOSUPPORT: return "EPFNOSUPPORT";
    case Errno::EAFNOSUPPORT: return "EAFNOSUPPORT";
    case Errno::EADDRINUSE: return "EADDRINUSE";
    case Errno::EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case Errno::ENETDOWN: return "ENETDOWN";
    case Errno::ENETUNREACH: return "ENETUNREACH";
    case Errno::ENETRESET: return "ENETRESET";
    case Errno::ECONNABORTED: return "ECONNABORTED";
    case Errno::ECONNRESET: return "ECONNRESET";
    case Errno::ENOBUFS: return "ENOBUFS";
    case Errno::EISCONN: return "EISCONN";
    case Errno::ENOTCONN: return "ENOTCONN";
    case Errno::ESHUTDOWN: return "ESHUTDOWN";
    case Errno::ETOOMANYREFS: return "ETOOMANYREFS";
    case Errno::ETIMEDOUT: return "ETIMEDOUT";
    case Errno::ECONNREFUSED: return "ECONNREFUSED";
    case Errno::EHOSTDOWN: return "EHOSTDOWN";
    case Errno::EHOSTUNREACH: return "EHOSTUNREACH";
    case Errno::EALREADY: return "EALREADY";
    case Errno::EINPROGRESS: return "EINPROGRESS";
    case Errno::ESTALE: return "ESTALE";
    case Errno::EUCLEAN: return "EUCLEAN";
    case Errno::ENOTNAM: return "ENOTNAM";
    case Errno::ENAVAIL: return "ENAVAIL";
    case Errno::EISNAM: return "EISNAM";
    case Errno::EREMOTEIO: return "EREMOTEIO";
    case Errno::EDQUOT: return "EDQUOT";
    case Errno::ENOMEDIUM: return "ENOMEDIUM";
    case Errno::EMEDIUMTYPE: return "EMEDIUMTYPE";
    case Errno::ECANCELED: return "ECANCELED";
    case Errno::ENOKEY: return "ENOKEY";
    case Errno::EKEYEXPIRED: return "EKEYEXPIRED";
    case Errno::EKEYREVOKED: return "EKEYREVOKED";
    case Errno::EKEYREJECTED: return "EKEYREJECTED";
    case Errno::EOWNERDEAD: return "EOWNERDEAD";
    case Errno::ENOTRECOVERABLE: return "ENOTRECOVERABLE";
    case Errno::ERFKILL: return "ERFKILL";
    case Errno::EHWPOISON: return "EHWPOISON";
    case Errno::ERESTARTSYS: return "ERESTARTSYS";
    case Errno::ERESTARTNOINTR: return "ERESTARTNOINTR";
    case Errno::ERESTARTNOHAND: return "ERESTARTNOHAND";
    case Errno::ERESTART_RESTARTBLOCK: return "ERESTART_RESTARTBLOCK";
    }
    return nullptr;
}

// strerror() text as glibc prints it (strace shows it in parentheses), or nullptr.
constexpr const char* errno_message(Errno e) {
    switch (e) {
    case Errno::none: return "Success";
    case Errno::EPERM: return "Operation not permitted";
    case Errno::ENOENT: return "No such file or directory";
    case Errno::ESRCH: return "No such process";
    case Errno::EINTR: return "Interrupted system call";
    case Errno::EIO: return "Input/output error";
    case Errno::ENXIO: return "No such device or address";
    case Errno::E2BIG: return "Argument list too long";
    case Errno::ENOEXEC: return "Exec format error";
    case Errno::EBADF: return "Bad file descriptor";
    case Errno::ECHILD: return "No child processes";
    case Errno::EAGAIN: return "Resource temporarily unavailable";
    case Errno::ENOMEM: return "Cannot allocate memory";
    case Errno::EACCES: return "Permission denied";
    case Errno::EFAULT: return "Bad address";
    case Errno::ENOTBLK: return "Block device required";
    case Errno::EBUSY: return "Device or resource busy";
    case Errno::EEXIST: return "File exists";
    case Errno::EXDEV: return "Invalid cross-device link";
    case Errno::ENODEV: return "No such device";
    case Errno::ENOTDIR: return "Not a directory";
    case Errno::EISDIR: return "Is a directory";
    case Errno::EINVAL: return "Invalid argument";
    case Errno::ENFILE: return "Too many open files in system";
    case Errno::EMFILE: return "Too many open files";
    case Errno::ENOTTY: return "Inappropriate ioctl for device";
    case Errno::ETXTBSY: return "Text file busy";
    case Errno::EFBIG: return "File too large";
    case Errno::ENOSPC: return "No space left on device";
    case Errno::ESPIPE: return "Illegal seek";
    case Errno::EROFS: return "Read-only file system";
    case Errno::EMLINK: return "Too many links";
    case Errno::EPIPE: return "Broken pipe";
    case Errno::EDOM: return "Numerical argument out of domain";
    case Errno::ERANGE: return "Numerical result out of range";
    case Errno::EDEADLK: return "Resource deadlock avoided";
    case Errno::ENAMETOOLONG: return "File name too long";
    case Errno::ENOLCK: return "No locks available";
    case Errno::ENOSYS: return "Function not implemented";
    case Errno::ENOTEMPTY: return "Directory not empty";
    case Errno::ELOOP: return "Too many levels of symbolic links";
    case Errno::ENOMSG: return "No message of desired type";
    case Errno::EIDRM: return "Identifier removed";
    case Errno::ECHRNG: return "Channel number out of range";
    case Errno::EL2NSYNC: return "Level 2 not synchronized";
    case Errno::EL3HLT: return "Level 3 halted";
    case Errno::EL3RST: return "Level 3 reset";
    case Errno::ELNRNG: return "Link number out of range";
    case Errno::EUNATCH: return "Protocol driver not attached";
    case Errno::ENOCSI: return "No CSI structure available";
    case Errno::EL2HLT: return "Level 2 halted";
    case Errno::EBADE: return "Invalid exchange";
    case Errno::EBADR: return "Invalid request descriptor";
    case Errno::EXFULL: return "Exchange full";
    case Errno::ENOANO: return "No anode";
    case Errno::EBADRQC: return "Invalid request code";
    case Errno::EBADSLT: return "Invalid slot";
    case Errno::EBFONT: return "Bad font file format";
    case Errno::ENOSTR: return "Device not a stream";
    case Errno::ENODATA: return "No data available";
    case Errno::ETIME: return "Timer expired";
    case Errno::ENOSR: return "Out of streams resources";
    case Errno::ENONET: return "Machine is not on the network";
    case Errno::ENOPKG: return "Package not installed";
    case Errno::EREMOTE: return "Object is remote";
    case Errno::ENOLINK: return "Link has been severed";
    case Errno::EADV: return "Advertise error";
    case Errno::ESRMNT: return "Srmount error";
    case Errno::ECOMM: return "Communication error on send";
    case Errno::EPROTO: return "Protocol error";
    case Errno::EMULTIHOP: return "Multihop attempted";
    case Errno::EDOTDOT: return "RFS specific error";
    case Errno::EBADMSG: return "Bad message";
    case Errno::EOVERFLOW: return "Value too large for defined data type";
    case Errno::ENOTUNIQ: return "Name not unique on network";
    case Errno::EBADFD: return "File descriptor in bad state";
    case Errno::EREMCHG: return "Remote address changed";
    case Errno::ELIBACC: return "Can not access a needed shared library";
    case Errno::ELIBBAD: return "Accessing a corrupted shared library";
    case Errno::ELIBSCN: return ".lib section in a.out corrupted";
    case Errno::ELIBMAX: return "Attempting to link in too many shared libraries";
    case Errno::ELIBEXEC: return "Cannot exec a shared library directly";
    case Errno::EILSEQ: return "Invalid or incomplete multibyte or wide character";
    case Errno::ERESTART: return "Interrupted system call should be restarted";
    case Errno::ESTRPIPE: return "Streams pipe error";
    case Errno::EUSERS: return "Too many users";
    case Errno::ENOTSOCK: return "Socket operation on non-socket";
    case Errno::EDESTADDRREQ: return "Destination address required";
    case Errno::EMSGSIZE: return "Message too long";
    case Errno::EPROTOTYPE: return "Protocol wrong type for socket";
    case Errno::ENOPROTOOPT: return "Protocol not available";
    case Errno::EPROTONOSUPPORT: return "Protocol not supported";
    case Errno::ESOCKTNOSUPPORT: return "Socket type not supported";
    case Errno::EOPNOTSUPP: return "Operation not supported";
    case Errno::EPFNOSUPPORT: return "Protocol family not supported";
    case Errno::EAFNOSUPPORT: return "Address family not supported by protocol";
    case Errno::EADDRINUSE: return "Address already in use";
    case Errno::EADDRNOTAVAIL: return "Cannot assign requested address";
    case Errno::ENETDOWN: return "Network is down";
    case Errno::ENETUNREACH: return "Network is unreachable";
    case Errno::ENETRESET: return "Network dropped connection on reset";
    case Errno::ECONNABORTED: return "Software caused connection abort";
    case Errno::ECONNRESET: return "Connection reset by peer";
    case Errno::ENOBUFS: return "No buffer space available";
    case Errno::EISCONN: return "Transport endpoint is already connected";
    case Errno::ENOTCONN: return "Transport endpoint is not connected";
    case Errno::ESHUTDOWN: return "Cannot send after transport endpoint shutdown";
    case Errno::ETOOMANYREFS: return "Too many references: cannot splice";
    case Errno::ETIMEDOUT: return "Connection timed out";
    case Errno::ECONNREFUSED: return "Connection refused";
    case Errno::EHOSTDOWN: return "Host is down";
    case Errno::EHOSTUNREACH: return "No route to host";
    case Errno::EALREADY: return "Operation already in progress";
    case Errno::EINPROGRESS: return "Operation now in progress";
    case Errno::ESTALE: return "Stale file handle";
    case Errno::EUCLEAN: return "Structure needs cleaning";
    case Errno::ENOTNAM: return "Not a XENIX named type file";
    case Errno::ENAVAIL: return "No XENIX semaphores available";
    case Errno::EISNAM: return "Is a named type file";
    case Errno::EREMOTEIO: return "Remote I/O error";
    case Errno::EDQUOT: return "Disk quota exceeded";
    case Errno::ENOMEDIUM: return "No medium found";
    case Errno::EMEDIUMTYPE: return "Wrong medium type";
    case Errno::ECANCELED: return "Operation canceled";
    case Errno::ENOKEY: return "Required key not available";
    case Errno::EKEYEXPIRED: return "Key has expired";
    case Errno::EKEYREVOKED: return "Key has been revoked";
    case Errno::EKEYREJECTED: return "Key was rejected by service";
    case Errno::EOWNERDEAD: return "Owner died";
    case Errno::ENOTRECOVERABLE: return "State not recoverable";
    case Errno::ERFKILL: return "Operation not possible due to RF-kill";
    case Errno::EHWPOISON: return "Memory page has hardware error";
    case Errno::ERESTARTSYS: return "To be restarted if SA_RESTART is set";
    case Errno::ERESTARTNOINTR: return "To be restarted";
    case Errno::ERESTARTNOHAND: return "To be restarted if no handler";
    case Errno::ERESTART_RESTARTBLOCK: return "Interrupted by signal";
    }
    return nullptr;
}

} // namespace jvmos
