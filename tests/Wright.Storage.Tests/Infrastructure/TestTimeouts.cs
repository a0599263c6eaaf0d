namespace Wright.Storage.Tests.Infrastructure;

/// <summary>Every await in a test is bounded: nothing hangs CI when something breaks.</summary>
public static class TestTimeouts
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(30);

    public static Task<T> Bounded<T>(this Task<T> task) => task.WaitAsync(Default);

    public static Task Bounded(this Task task) => task.WaitAsync(Default);
}
