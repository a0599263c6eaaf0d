using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Wright.Storage.Accounts;

namespace Wright.Server.Secrets;

/// <summary>
/// The Data Protection key ring as files in <c>&lt;data dir&gt;/keys</c>, readable by the server's
/// user only: the directory is 0700 and every key file is created 0600 (the built-in file
/// repository leaves both to the umask). Files are written to a temp name and renamed, so a
/// crash never leaves half a key.
/// </summary>
internal sealed class KeyDirectoryRepository : IXmlRepository
{
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly string _directory;

    public KeyDirectoryRepository(string directory)
    {
        _directory = directory;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, DirectoryMode);
            File.SetUnixFileMode(directory, DirectoryMode);
        }
    }

    public IReadOnlyCollection<XElement> GetAllElements() =>
        Directory.EnumerateFiles(_directory, "*.xml").Order(StringComparer.Ordinal).Select(f => XElement.Load(f)).ToList();

    public void StoreElement(XElement element, string friendlyName)
    {
        var name = string.IsNullOrEmpty(friendlyName) || friendlyName.Any(c => !char.IsAsciiLetterOrDigit(c) && c != '-')
            ? Guid.NewGuid().ToString()
            : friendlyName;
        var target = Path.Combine(_directory, name + ".xml");
        var temp = Path.Combine(_directory, $".{name}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnlyFile;
        }

        using (var stream = new FileStream(temp, options))
        {
            element.Save(stream);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, target, overwrite: false);
    }
}

/// <summary>
/// The key ring in the database (PostgreSQL setups), so that all instances share it. Data
/// Protection's repository interface is synchronous; it is called when the key ring is loaded
/// (start, then about once a day) and when a key is made, not per request, so blocking on the
/// database there is acceptable.
/// </summary>
internal sealed class DatabaseKeyRepository : IXmlRepository
{
    private readonly DataProtectionKeyStore _store;
    private readonly TimeProvider _time;

    public DatabaseKeyRepository(DataProtectionKeyStore store, TimeProvider time)
    {
        _store = store;
        _time = time;
    }

    public IReadOnlyCollection<XElement> GetAllElements() =>
        _store.ReadAllAsync(CancellationToken.None).GetAwaiter().GetResult().Select(x => XElement.Parse(x)).ToList();

    public void StoreElement(XElement element, string friendlyName)
    {
        var name = string.IsNullOrEmpty(friendlyName) ? Guid.NewGuid().ToString() : friendlyName;
        _store.StoreAsync(name, element.ToString(SaveOptions.DisableFormatting), _time.GetUtcNow(), CancellationToken.None).GetAwaiter().GetResult();
    }
}
