using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Wright.Storage.Tests.Infrastructure;

/// <summary>
/// A fact of the shared storage suite. It is declared once on the abstract
/// <see cref="StorageTestBase{TProvider}"/> subclass and runs once per provider subclass; where a
/// provider's engine is not available (<see cref="IStorageProvider.SkipReason"/>), the test is
/// reported as skipped with that reason instead of passing silently.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
[XunitTestCaseDiscoverer("Wright.Storage.Tests.Infrastructure.StorageFactDiscoverer", "Wright.Storage.Tests")]
public sealed class StorageFactAttribute : FactAttribute
{
}

/// <summary>A theory of the shared storage suite; skipped like <see cref="StorageFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
[XunitTestCaseDiscoverer("Wright.Storage.Tests.Infrastructure.StorageTheoryDiscoverer", "Wright.Storage.Tests")]
public sealed class StorageTheoryAttribute : TheoryAttribute
{
}

/// <summary>Finds the provider of the concrete test class and skips its tests when the provider says so.</summary>
public sealed class StorageFactDiscoverer : IXunitTestCaseDiscoverer
{
    private readonly IMessageSink _diagnostics;

    public StorageFactDiscoverer(IMessageSink diagnostics)
    {
        _diagnostics = diagnostics;
    }

    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var display = discoveryOptions.MethodDisplayOrDefault();
        var displayOptions = discoveryOptions.MethodDisplayOptionsOrDefault();
        var skipReason = SkipReasonOf(testMethod.TestClass.Class);
        yield return skipReason is null
            ? new XunitTestCase(_diagnostics, display, displayOptions, testMethod)
            : new SkippedStorageTestCase(_diagnostics, display, displayOptions, testMethod, skipReason);
    }

    internal static string? SkipReasonOf(ITypeInfo testClass)
    {
        for (var type = testClass.ToRuntimeType(); type is not null; type = type.BaseType)
        {
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(StorageTestBase<>))
            {
                var provider = type.GetGenericArguments()[0];
                var property = provider.GetProperty(nameof(IStorageProvider.SkipReason), BindingFlags.Public | BindingFlags.Static)
                    ?? throw new InvalidOperationException($"{provider.Name} does not implement {nameof(IStorageProvider.SkipReason)}.");
                return (string?)property.GetValue(null);
            }
        }

        return null;
    }
}

/// <summary>Expands a storage theory into its data rows, or one skipped case when the provider is unavailable.</summary>
public sealed class StorageTheoryDiscoverer : TheoryDiscoverer
{
    private readonly IMessageSink _diagnostics;

    public StorageTheoryDiscoverer(IMessageSink diagnostics)
        : base(diagnostics)
    {
        _diagnostics = diagnostics;
    }

    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo theoryAttribute)
    {
        var skipReason = StorageFactDiscoverer.SkipReasonOf(testMethod.TestClass.Class);
        return skipReason is null
            ? base.Discover(discoveryOptions, testMethod, theoryAttribute)
            : [new SkippedStorageTestCase(_diagnostics, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, skipReason)];
    }
}

/// <summary>A storage test case whose provider is unavailable; carries the reason through serialization.</summary>
public sealed class SkippedStorageTestCase : XunitTestCase
{
    private string _skipReason = "";

    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public SkippedStorageTestCase()
    {
    }

    public SkippedStorageTestCase(IMessageSink diagnostics, TestMethodDisplay display, TestMethodDisplayOptions displayOptions, ITestMethod testMethod, string skipReason)
        : base(diagnostics, display, displayOptions, testMethod)
    {
        _skipReason = skipReason;
    }

    protected override string GetSkipReason(IAttributeInfo factAttribute) => _skipReason;

    public override void Serialize(IXunitSerializationInfo data)
    {
        base.Serialize(data);
        data.AddValue("SkipReason", _skipReason);
    }

    public override void Deserialize(IXunitSerializationInfo data)
    {
        // Before the base: it may compute the skip reason while it restores the test method.
        _skipReason = data.GetValue<string>("SkipReason");
        base.Deserialize(data);
    }
}
