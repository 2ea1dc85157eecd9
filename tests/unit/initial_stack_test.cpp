// proc/initial_stack: the stack is built into a host buffer standing for user addresses below a
// fake stack top, then read back the way a libc _start does (argc at RSP, argv, NULL, envp,
// NULL, auxv up to AT_NULL), translating every user address into the buffer.
#include "proc/initial_stack.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

// libc's <errno.h> (pulled in by gtest) defines E2BIG as a macro, which would turn Errno::E2BIG
// into Errno::7.
#undef E2BIG

using jvmos::Errno;
using jvmos::u64;
using jvmos::u8;
using jvmos::usize;
using namespace jvmos::proc;

namespace {

constexpr u64 STACK_TOP = 0x7ffffffff000;
constexpr usize GUARD = 64;
constexpr u8 GUARD_BYTE = 0xa5;

// A buffer for [top - size, top) with guard bytes on both sides, to catch stray writes.
class StackBuffer {
public:
    StackBuffer(usize size, u64 top) : m_storage(size + 2 * GUARD, GUARD_BYTE), m_size(size),
                                       m_top(top) {}
    u8* data() { return m_storage.data() + GUARD; }
    usize size() const { return m_size; }
    u64 top() const { return m_top; }
    u64 bottom() const { return m_top - m_size; }

    bool guards_intact() const {
        for (usize i = 0; i < GUARD; ++i) {
            if (m_storage[i] != GUARD_BYTE || m_storage[GUARD + m_size + i] != GUARD_BYTE)
                return false;
        }
        return true;
    }
    bool contains(u64 va, usize n) const {
        return va >= bottom() && va <= m_top && n <= m_top - va;
    }
    // Reads as user code would; records a test failure (and returns 0) outside the stack.
    u64 read_word(u64 va) const {
        EXPECT_TRUE(contains(va, 8)) << std::hex << "word at 0x" << va;
        if (!contains(va, 8)) return 0;
        u64 v;
        memcpy(&v, m_storage.data() + GUARD + (va - bottom()), 8);
        return v;
    }
    std::string read_string(u64 va) const {
        EXPECT_TRUE(contains(va, 1)) << std::hex << "string at 0x" << va;
        std::string s;
        while (contains(va, 1)) {
            char c = static_cast<char>(m_storage[GUARD + (va - bottom())]);
            if (c == '\0') return s;
            s.push_back(c);
            ++va;
        }
        ADD_FAILURE() << "string runs off the top of the stack";
        return s;
    }
    std::vector<u8> read_bytes(u64 va, usize n) const {
        EXPECT_TRUE(contains(va, n));
        if (!contains(va, n)) return {};
        const u8* p = m_storage.data() + GUARD + (va - bottom());
        return std::vector<u8>(p, p + n);
    }

private:
    std::vector<u8> m_storage;
    usize m_size;
    u64 m_top;
};

// What _start sees, decoded.
struct Decoded {
    u64 argc = 0;
    std::vector<u64> argv_ptrs;
    std::vector<std::string> argv;
    std::vector<u64> envp_ptrs;
    std::vector<std::string> envp;
    std::vector<AuxEntry> auxv; // excluding the final AT_NULL
    u64 end_of_vectors = 0;     // address after AT_NULL's pair
};

Decoded decode(const StackBuffer& stack, u64 rsp) {
    Decoded d;
    u64 p = rsp;
    d.argc = stack.read_word(p);
    p += 8;
    for (u64 i = 0; i < d.argc; ++i, p += 8) {
        u64 ptr = stack.read_word(p);
        d.argv_ptrs.push_back(ptr);
        d.argv.push_back(stack.read_string(ptr));
    }
    EXPECT_EQ(0u, stack.read_word(p)) << "argv[argc] must be NULL";
    p += 8;
    // envp has no count: walk to the NULL, as libc does.
    for (;;) {
        u64 ptr = stack.read_word(p);
        p += 8;
        if (ptr == 0) break;
        d.envp_ptrs.push_back(ptr);
        d.envp.push_back(stack.read_string(ptr));
        if (d.envp.size() > 100000) {
            ADD_FAILURE() << "envp never ends";
            return d;
        }
    }
    for (;;) {
        u64 type = stack.read_word(p);
        u64 value = stack.read_word(p + 8);
        p += 16;
        if (type == AT_NULL) {
            EXPECT_EQ(0u, value);
            break;
        }
        d.auxv.push_back({type, value});
        if (d.auxv.size() > 1000) {
            ADD_FAILURE() << "auxv never ends";
            return d;
        }
    }
    d.end_of_vectors = p;
    return d;
}

const AuxEntry* find_aux(const Decoded& d, u64 type) {
    for (const AuxEntry& e : d.auxv) {
        if (e.type == type) return &e;
    }
    return nullptr;
}

const u8 RANDOM[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                       0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};

const AuxEntry CALLER_AUX[] = {
    {AT_SYSINFO_EHDR, 0x7ffff7fc1000},
    {AT_MINSIGSTKSZ, 3632},
    {AT_HWCAP, 0x178bfbff},
    {AT_PAGESZ, 4096},
    {AT_CLKTCK, 100},
    {AT_PHDR, 0x555555554040},
    {AT_PHENT, 56},
    {AT_PHNUM, 13},
    {AT_BASE, 0x7ffff7fc3000},
    {AT_FLAGS, 0},
    {AT_ENTRY, 0x5555555563d0},
    {AT_UID, 1000},
    {AT_EUID, 1000},
    {AT_GID, 100},
    {AT_EGID, 100},
    {AT_SECURE, 0},
    {AT_HWCAP2, 2},
};
constexpr usize CALLER_AUX_COUNT = sizeof(CALLER_AUX) / sizeof(CALLER_AUX[0]);

TEST(InitialStack, AuxConstantsHaveLinuxValues) {
    // The numbers are ABI (include/uapi/linux/auxvec.h, asm/auxvec.h).
    EXPECT_EQ(0u, AT_NULL);
    EXPECT_EQ(3u, AT_PHDR);
    EXPECT_EQ(6u, AT_PAGESZ);
    EXPECT_EQ(9u, AT_ENTRY);
    EXPECT_EQ(15u, AT_PLATFORM);
    EXPECT_EQ(23u, AT_SECURE);
    EXPECT_EQ(25u, AT_RANDOM);
    EXPECT_EQ(31u, AT_EXECFN);
    EXPECT_EQ(33u, AT_SYSINFO_EHDR);
    EXPECT_EQ(51u, AT_MINSIGSTKSZ);
}

TEST(InitialStack, ReadsBackLikeLibcStart) {
    const char* argv[] = {"/usr/bin/java", "-Xmx64m", "-version", ""};
    const char* envp[] = {"PATH=/usr/bin:/bin", "HOME=/root", "LANG=C.UTF-8"};
    InitialStackSpec spec{argv,       4, envp, 3, CALLER_AUX, CALLER_AUX_COUNT, RANDOM,
                          "/usr/bin/java", "x86_64"};
    StackBuffer stack(64 * 1024, STACK_TOP);
    auto r = build_initial_stack(spec, stack.data(), stack.size(), stack.top());
    ASSERT_TRUE(r.is_ok());
    u64 rsp = r.value();
    EXPECT_EQ(0u, rsp % 16) << std::hex << rsp;
    EXPECT_LE(stack.top() - rsp, initial_stack_size(spec));
    EXPECT_TRUE(stack.guards_intact());

    Decoded d = decode(stack, rsp);
    EXPECT_EQ(4u, d.argc);
    EXPECT_EQ((std::vector<std::string>{"/usr/bin/java", "-Xmx64m", "-version", ""}), d.argv);
    EXPECT_EQ((std::vector<std::string>{"PATH=/usr/bin:/bin", "HOME=/root", "LANG=C.UTF-8"}),
              d.envp);

    // The caller's entries in order, then the builder's own, then AT_NULL (checked by decode).
    ASSERT_EQ(CALLER_AUX_COUNT + 3, d.auxv.size());
    for (usize i = 0; i < CALLER_AUX_COUNT; ++i) {
        EXPECT_EQ(CALLER_AUX[i].type, d.auxv[i].type) << i;
        EXPECT_EQ(CALLER_AUX[i].value, d.auxv[i].value) << i;
    }
    EXPECT_EQ(AT_RANDOM, d.auxv[CALLER_AUX_COUNT].type);
    EXPECT_EQ(AT_EXECFN, d.auxv[CALLER_AUX_COUNT + 1].type);
    EXPECT_EQ(AT_PLATFORM, d.auxv[CALLER_AUX_COUNT + 2].type);

    const AuxEntry* random = find_aux(d, AT_RANDOM);
    ASSERT_NE(nullptr, random);
    EXPECT_EQ(std::vector<u8>(RANDOM, RANDOM + 16), stack.read_bytes(random->value, 16));
    const AuxEntry* execfn = find_aux(d, AT_EXECFN);
    ASSERT_NE(nullptr, execfn);
    EXPECT_EQ("/usr/bin/java", stack.read_string(execfn->value));
    const AuxEntry* platform = find_aux(d, AT_PLATFORM);
    ASSERT_NE(nullptr, platform);
    EXPECT_EQ("x86_64", stack.read_string(platform->value));

    // Linux's placement: 8 zero bytes at the top, execfn right below them, then the env
    // strings, then the argv strings, each group contiguous and in order; the platform string
    // and random bytes below those; the vectors below everything.
    EXPECT_EQ(0u, stack.read_word(stack.top() - 8));
    EXPECT_EQ(stack.top() - 8 - strlen("/usr/bin/java") - 1, execfn->value);
    u64 expect = d.envp_ptrs[0];
    for (usize i = 0; i < 3; ++i) {
        EXPECT_EQ(expect, d.envp_ptrs[i]);
        expect += strlen(envp[i]) + 1;
    }
    EXPECT_EQ(execfn->value, expect);
    expect = d.argv_ptrs[0];
    for (usize i = 0; i < 4; ++i) {
        EXPECT_EQ(expect, d.argv_ptrs[i]);
        expect += strlen(argv[i]) + 1;
    }
    EXPECT_EQ(d.envp_ptrs[0], expect);
    EXPECT_EQ(d.argv_ptrs[0], platform->value + strlen("x86_64") + 1);
    EXPECT_EQ(platform->value, random->value + 16);
    EXPECT_LE(d.end_of_vectors, random->value);
    EXPECT_LT(random->value - d.end_of_vectors, 16u); // only alignment padding in between
    for (u64 va = d.end_of_vectors; va < random->value; ++va)
        EXPECT_EQ(0u, stack.read_bytes(va, 1)[0]) << "padding is zeroed";
}

TEST(InitialStack, EmptyEnvironment) {
    const char* argv[] = {"prog"};
    InitialStackSpec spec{argv, 1, nullptr, 0, CALLER_AUX, 3, RANDOM, "prog", "x86_64"};
    StackBuffer stack(4096, STACK_TOP);
    auto r = build_initial_stack(spec, stack.data(), stack.size(), stack.top());
    ASSERT_TRUE(r.is_ok());
    u64 rsp = r.value();
    EXPECT_EQ(0u, rsp % 16);
    // argc, argv[0], NULL, then envp's NULL immediately.
    EXPECT_EQ(1u, stack.read_word(rsp));
    EXPECT_EQ(0u, stack.read_word(rsp + 16));
    EXPECT_EQ(0u, stack.read_word(rsp + 24));
    Decoded d = decode(stack, rsp);
    EXPECT_EQ(std::vector<std::string>{"prog"}, d.argv);
    EXPECT_TRUE(d.envp.empty());
    EXPECT_EQ(6u, d.auxv.size());
    EXPECT_EQ(AT_SYSINFO_EHDR, stack.read_word(rsp + 32));
}

TEST(InitialStack, OptionalEntriesOmitted) {
    const char* argv[] = {"a", "b"};
    InitialStackSpec spec{argv, 2, nullptr, 0, nullptr, 0, nullptr, nullptr, nullptr};
    StackBuffer stack(1024, STACK_TOP);
    auto r = build_initial_stack(spec, stack.data(), stack.size(), stack.top());
    ASSERT_TRUE(r.is_ok());
    Decoded d = decode(stack, r.value());
    EXPECT_EQ((std::vector<std::string>{"a", "b"}), d.argv);
    EXPECT_TRUE(d.auxv.empty()); // only AT_NULL
    // The strings still end right below the 8-byte marker.
    EXPECT_EQ(stack.top() - 8 - 4, d.argv_ptrs[0]);
}

TEST(InitialStack, NoArguments) {
    InitialStackSpec spec{nullptr, 0, nullptr, 0, nullptr, 0, RANDOM, "x", nullptr};
    StackBuffer stack(1024, STACK_TOP);
    auto r = build_initial_stack(spec, stack.data(), stack.size(), stack.top());
    ASSERT_TRUE(r.is_ok());
    Decoded d = decode(stack, r.value());
    EXPECT_EQ(0u, d.argc);
    EXPECT_TRUE(d.envp.empty());
    ASSERT_EQ(2u, d.auxv.size());
    EXPECT_EQ(AT_RANDOM, d.auxv[0].type);
    EXPECT_EQ(AT_EXECFN, d.auxv[1].type);
}

TEST(InitialStack, ManyArguments) {
    std::vector<std::string> args;
    std::vector<std::string> envs;
    for (int i = 0; i < 5000; ++i)
        args.push_back("arg" + std::to_string(i) + std::string(i % 37, 'x'));
    for (int i = 0; i < 3000; ++i)
        envs.push_back("VAR" + std::to_string(i) + "=" + std::to_string(i * 7));
    std::vector<const char*> argv;
    std::vector<const char*> envp;
    for (const std::string& a : args) argv.push_back(a.c_str());
    for (const std::string& e : envs) envp.push_back(e.c_str());
    InitialStackSpec spec{argv.data(), argv.size(), envp.data(), envp.size(), CALLER_AUX,
                          CALLER_AUX_COUNT, RANDOM, "/bin/prog", "x86_64"};
    usize need = initial_stack_size(spec);
    StackBuffer stack(need, STACK_TOP);
    auto r = build_initial_stack(spec, stack.data(), stack.size(), stack.top());
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(0u, r.value() % 16);
    EXPECT_TRUE(stack.guards_intact());
    Decoded d = decode(stack, r.value());
    EXPECT_EQ(args, d.argv);
    EXPECT_EQ(envs, d.envp);
    EXPECT_EQ(CALLER_AUX_COUNT + 3, d.auxv.size());
}

// For every alignment of the top and of the string area: RSP is 16-aligned, the size bound
// holds, and the smallest buffer that works is exactly top - RSP.
TEST(InitialStack, AlignmentAndExactFit) {
    for (u64 top_misalign = 0; top_misalign < 16; ++top_misalign) {
        for (usize extra = 0; extra < 24; ++extra) {
            std::string arg0 = "/bin/p" + std::string(extra, 'q');
            const char* argv[] = {arg0.c_str(), "x"};
            const char* envp[] = {"A=1"};
            InitialStackSpec spec{argv, 2, envp, 1, CALLER_AUX, 5, RANDOM, "/bin/p", "x86_64"};
            u64 top = STACK_TOP - 0x100 + top_misalign;
            usize bound = initial_stack_size(spec);

            StackBuffer roomy(bound, top);
            auto r = build_initial_stack(spec, roomy.data(), roomy.size(), top);
            ASSERT_TRUE(r.is_ok()) << top_misalign << " " << extra;
            u64 rsp = r.value();
            ASSERT_EQ(0u, rsp % 16);
            Decoded d = decode(roomy, rsp);
            ASSERT_EQ(arg0, d.argv[0]);
            ASSERT_EQ("/bin/p", roomy.read_string(find_aux(d, AT_EXECFN)->value));

            usize minimum = top - rsp;
            StackBuffer exact(minimum, top);
            auto e = build_initial_stack(spec, exact.data(), exact.size(), top);
            ASSERT_TRUE(e.is_ok());
            EXPECT_EQ(rsp, e.value());
            EXPECT_TRUE(exact.guards_intact());

            StackBuffer short_by_one(minimum - 1, top);
            auto s = build_initial_stack(spec, short_by_one.data(), short_by_one.size(), top);
            ASSERT_TRUE(s.is_error());
            EXPECT_EQ(Errno::E2BIG, s.error());
            EXPECT_TRUE(short_by_one.guards_intact());
        }
    }
}

TEST(InitialStack, TooSmallIsE2big) {
    const char* argv[] = {"/usr/bin/java", "-cp", "/app", "Main"};
    const char* envp[] = {"PATH=/bin"};
    InitialStackSpec spec{argv, 4, envp, 1, CALLER_AUX, CALLER_AUX_COUNT, RANDOM,
                          "/usr/bin/java", "x86_64"};
    for (usize size : {usize{0}, usize{8}, usize{64}, usize{256}}) {
        StackBuffer stack(size, STACK_TOP);
        auto r = build_initial_stack(spec, stack.data(), stack.size(), stack.top());
        ASSERT_TRUE(r.is_error()) << size;
        EXPECT_EQ(Errno::E2BIG, r.error());
        EXPECT_TRUE(stack.guards_intact());
    }
}

TEST(InitialStack, SizeSaturatesOnOverflow) {
    // An absurd auxv count overflows the size computation instead of wrapping to a small size.
    InitialStackSpec spec{nullptr, 0, nullptr, 0, CALLER_AUX, ~usize{0} / 2, RANDOM, nullptr,
                          nullptr};
    EXPECT_EQ(~usize{0}, initial_stack_size(spec));
    StackBuffer stack(4096, STACK_TOP);
    auto r = build_initial_stack(spec, stack.data(), stack.size(), stack.top());
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(Errno::E2BIG, r.error());
}

TEST(InitialStackDeathTest, ReservedAuxTypesFromCallerAreABug) {
    const AuxEntry bad[] = {{AT_PAGESZ, 4096}, {AT_RANDOM, 0}};
    InitialStackSpec spec{nullptr, 0, nullptr, 0, bad, 2, nullptr, nullptr, nullptr};
    std::vector<u8> buf(4096);
    EXPECT_DEATH((void)build_initial_stack(spec, buf.data(), buf.size(), STACK_TOP),
                 "assertion failed");
}

} // namespace
