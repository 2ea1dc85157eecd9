#include "host_calls.h"

#include <cerrno>
#include <cstring>
#include <poll.h>
#include <sys/statvfs.h>

namespace jvmos::proxy {

void fill_stat(proto::Stat::Builder out, const struct stat& st) {
    out.setDev(st.st_dev);
    out.setIno(st.st_ino);
    out.setMode(st.st_mode);
    out.setNlink(st.st_nlink);
    out.setUid(st.st_uid);
    out.setGid(st.st_gid);
    out.setRdev(st.st_rdev);
    out.setSize(st.st_size);
    out.setBlksize(st.st_blksize);
    out.setBlocks(st.st_blocks);
    out.setAtimeSec(st.st_atim.tv_sec);
    out.setAtimeNsec(st.st_atim.tv_nsec);
    out.setMtimeSec(st.st_mtim.tv_sec);
    out.setMtimeNsec(st.st_mtim.tv_nsec);
    out.setCtimeSec(st.st_ctim.tv_sec);
    out.setCtimeNsec(st.st_ctim.tv_nsec);
}

void fill_statfs(proto::StatFs::Builder out, const struct statfs& fs, bool read_only) {
    out.setType(fs.f_type);
    out.setBsize(fs.f_bsize);
    out.setBlocks(fs.f_blocks);
    out.setBfree(fs.f_bfree);
    out.setBavail(fs.f_bavail);
    out.setFiles(fs.f_files);
    out.setFfree(fs.f_ffree);
    uint32_t fsid[2];
    static_assert(sizeof fsid == sizeof fs.f_fsid);
    memcpy(fsid, &fs.f_fsid, sizeof fsid);
    out.setFsid(uint64_t(fsid[0]) | uint64_t(fsid[1]) << 32);
    out.setNamelen(fs.f_namelen);
    out.setFrsize(fs.f_frsize);
    out.setFlags(fs.f_flags | (read_only ? ST_RDONLY : 0));
}

bool ready_now(int fd, short events) {
    struct pollfd probe = {fd, events, 0};
    return poll(&probe, 1, 0) > 0 && probe.revents != 0;
}

} // namespace jvmos::proxy
