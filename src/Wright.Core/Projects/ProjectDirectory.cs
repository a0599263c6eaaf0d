namespace Wright.Core.Projects;

/// <summary>Removes a project's directory tree without ever following a symbolic link out of it.</summary>
internal static class ProjectDirectory
{
    private static readonly EnumerationOptions OneLevel = new()
    {
        RecurseSubdirectories = false,
        AttributesToSkip = 0,
        IgnoreInaccessible = false,
        ReturnSpecialDirectories = false,
    };

    /// <summary>
    /// Deletes <paramref name="root"/> and everything below it. A symbolic link (to a file or a
    /// directory, inside or outside the project) is removed as a link; its target is untouched.
    /// </summary>
    public static void Delete(string root)
    {
        DeleteContents(new DirectoryInfo(root));
        Directory.Delete(root, recursive: false);
    }

    private static void DeleteContents(DirectoryInfo directory)
    {
        foreach (var entry in directory.EnumerateFileSystemInfos("*", OneLevel))
        {
            if (entry.LinkTarget is not null)
            {
                // unlink(2) removes the link itself whatever it points to; Windows wants a directory link removed as a directory.
                if (entry is DirectoryInfo && OperatingSystem.IsWindows())
                {
                    Directory.Delete(entry.FullName, recursive: false);
                }
                else
                {
                    File.Delete(entry.FullName);
                }
            }
            else if (entry is DirectoryInfo child)
            {
                DeleteContents(child);
                child.Delete(recursive: false);
            }
            else
            {
                // git makes its object files read-only; that stops the delete on Windows.
                entry.Attributes &= ~FileAttributes.ReadOnly;
                entry.Delete();
            }
        }
    }
}
