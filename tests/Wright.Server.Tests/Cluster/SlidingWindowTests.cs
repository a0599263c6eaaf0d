using Wright.Server.Cluster;

namespace Wright.Server.Tests.Cluster;

public sealed class SlidingWindowTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Theory]
    [InlineData(3, 0, 0.5, 0)] // at the limit in one window
    [InlineData(2, 2, 0.01, 30)] // two just before the edge and two just after: refused, not forgiven, until half the window before has slid out
    [InlineData(2, 2, 0.6, 0)] // most of the window before has slid out
    [InlineData(4, 0, 0.25, 45)] // over on this window alone: wait for its end
    [InlineData(1, 4, 0.0, 30)] // the previous window's hits slide out at half the window
    public void WaitSeconds_EstimatesFromThisWindowAndTheOneBefore(int current, int previous, double elapsed, int expected) =>
        SlidingWindow.WaitSeconds(current, previous, elapsed, limit: 3, Minute).ShouldBe(expected);
}
