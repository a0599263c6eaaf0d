using Wright.Core.Events;

namespace Wright.Core.Tests.Events;

public sealed class EventsOptionsValidationTests
{
    [Fact]
    public void Validate_Defaults_Succeed()
    {
        new EventsOptionsValidation().Validate(null, new EventsOptions()).Succeeded.ShouldBeTrue();
    }

    [Fact]
    public void Validate_SeveralBadSettings_NamesEachKey()
    {
        var options = new EventsOptions { ReplayCapacity = 0, SubscriberBufferCapacity = -1, HeartbeatInterval = TimeSpan.Zero };

        var result = new EventsOptionsValidation().Validate(null, options);

        result.Failed.ShouldBeTrue();
        result.Failures.ShouldContain(f => f.Contains("Events:ReplayCapacity", StringComparison.Ordinal));
        result.Failures.ShouldContain(f => f.Contains("Events:SubscriberBufferCapacity", StringComparison.Ordinal));
        result.Failures.ShouldContain(f => f.Contains("Events:HeartbeatInterval", StringComparison.Ordinal));
    }
}
