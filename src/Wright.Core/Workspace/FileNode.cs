using System.Runtime.InteropServices;

namespace Wright.Core.Workspace;

/// <summary>What a directory entry is, as lstat(2) sees it.</summary>
public enum FileNodeKind
{
    Missing,
    RegularFile,
    Directory,
    SymbolicLink,

    /// <summary>A FIFO, socket or device: opening one can block forever or reach outside the project.</summary>
    Special,

    /// <summary>The platform does not tell (not Linux, or statx is unavailable): callers fall back to what .NET can see.</summary>
    Unknown,
}

/// <summary>The file type and hard-link count of an entry, without following a final symbolic link and without opening it.</summary>
public readonly record struct FileNode(FileNodeKind Kind, long LinkCount)
{
    /// <summary>A regular file with more than one name: the other name may be outside the project.</summary>
    public bool IsHardLinked => Kind == FileNodeKind.RegularFile && LinkCount > 1;

    /// <summary>
    /// Looks at <paramref name="path"/> with statx(2) on Linux. .NET exposes neither the file type
    /// of a FIFO or device nor the link count, and opening a FIFO to find out would block, so this
    /// asks the kernel directly. Elsewhere it answers <see cref="FileNodeKind.Unknown"/>.
    /// </summary>
    public static FileNode Inspect(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return new FileNode(FileNodeKind.Unknown, 1);
        }

        int result;
        StatxBuffer buffer;
        try
        {
            result = Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType | StatxNlink, out buffer);
        }
        catch (EntryPointNotFoundException)
        {
            // glibc older than 2.28 has no statx wrapper; Wright then knows no more than .NET does.
            return new FileNode(FileNodeKind.Unknown, 1);
        }

        if (result != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno is ENoEnt or ENotDir ? new FileNode(FileNodeKind.Missing, 0) : new FileNode(FileNodeKind.Unknown, 1);
        }

        var kind = (buffer.Mode & SIfMt) switch
        {
            SIfReg => FileNodeKind.RegularFile,
            SIfDir => FileNodeKind.Directory,
            SIfLnk => FileNodeKind.SymbolicLink,
            _ => FileNodeKind.Special,
        };
        return new FileNode(kind, buffer.NLink);
    }

    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const uint StatxNlink = 0x4;
    private const int SIfMt = 0xF000;
    private const int SIfReg = 0x8000;
    private const int SIfDir = 0x4000;
    private const int SIfLnk = 0xA000;
    private const int ENoEnt = 2;
    private const int ENotDir = 20;

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, out StatxBuffer buffer);

    /// <summary>The head of struct statx (linux/stat.h), whose layout is the same on every architecture; the kernel fills 256 bytes.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 256)]
    private struct StatxBuffer
    {
        public uint Mask;
        public uint BlockSize;
        public ulong Attributes;
        public uint NLink;
        public uint Uid;
        public uint Gid;
        public ushort Mode;
    }
}
