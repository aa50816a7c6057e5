namespace Brigade.Processes.Tests.Review60;

/// <summary>
/// An exception's own properties crossed from a worker process as nothing (review 59's leftover, documented): a user's
/// <c>QuotaException</c> with <c>Remaining</c> and <c>Reason</c> arrived as a <see cref="RemoteWorkException"/> with its type's
/// name, message and stack, the figures the caller would act on gone, and so were its <c>Data</c> entries. Now its public
/// scalar properties (numbers, strings, enums, dates, GUIDs: as invariant text) and its <c>Data</c> entries cross as text,
/// at every level of the inner chain; nothing is deserialized, and what crosses is bounded.
/// </summary>
public sealed class ExceptionPropertiesTests
{
    [Fact(Timeout = 60_000)]
    public async Task CustomException_ItsScalarPropertiesAndDataEntries_CrossAsText()
    {
        await using var engine = TestEngines.Create();

        var result = await Runner.MapAsync(Enumerable.Range(0, 4), new R60ChargesQuota(), TestEngines.Run(engine));

        var failure = Assert.Single(result.Failures);
        Assert.Equal(2, failure.Index);
        var remote = Assert.IsType<RemoteWorkException>(failure.Exception);
        Assert.Equal(typeof(R60QuotaException).FullName, remote.RemoteType);
        Assert.Equal("quota exceeded for tenant-7", remote.Message);
        Assert.Contains(nameof(R60ChargesQuota), remote.RemoteStackTrace, StringComparison.Ordinal);
        Assert.Equal("3", remote.RemoteProperties["Remaining"]);
        Assert.Equal("Monthly", remote.RemoteProperties["Period"]);
        Assert.Equal("2026-12-01T00:00:00.0000000+00:00", remote.RemoteProperties["ResetsAt"]);
        Assert.Equal("1.5", remote.RemoteProperties["Rate"]);
        Assert.False(remote.RemoteProperties.ContainsKey("Tags"));
        Assert.False(remote.RemoteProperties.ContainsKey("Missing"));
        Assert.False(remote.RemoteProperties.ContainsKey("Throws"));
        Assert.False(remote.RemoteProperties.ContainsKey("Message"));
        Assert.False(remote.RemoteProperties.ContainsKey("HResult"));
        Assert.Equal("tenant-7", remote.Data["tenant"]);
        Assert.Equal("42", remote.Data["attempt"]);

        // The inner chain carries its own.
        var inner = Assert.IsType<RemoteWorkException>(remote.InnerException);
        Assert.Equal(typeof(ArgumentOutOfRangeException).FullName, inner.RemoteType);
        Assert.Equal("amount", inner.RemoteProperties["ParamName"]);
        Assert.Equal("-5", inner.RemoteProperties["ActualValue"]);

        // What a user logs shows them.
        var text = remote.ToString();
        Assert.Contains("Remaining = 3", text, StringComparison.Ordinal);
        Assert.Contains("Data[tenant] = tenant-7", text, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task ManyOrHugeProperties_AreBounded()
    {
        await using var engine = TestEngines.Create();

        var result = await Runner.MapAsync(new[] { 1 }, new R60ThrowsHuge(), TestEngines.Run(engine));

        var remote = Assert.IsType<RemoteWorkException>(Assert.Single(result.Failures).Exception);
        Assert.True(remote.Data.Count <= 16, $"{remote.Data.Count} Data entries");
        Assert.All(remote.RemoteProperties.Values, v => Assert.True(v.Length <= 1_024, $"{v.Length} chars"));
        Assert.StartsWith("xxxx", remote.RemoteProperties["Huge"], StringComparison.Ordinal);
    }
}

public enum R60Period
{
    Daily,
    Monthly,
}

public sealed class R60QuotaException(string message, Exception inner) : Exception(message, inner)
{
    public int Remaining { get; init; }

    public R60Period Period { get; init; }

    public DateTimeOffset ResetsAt { get; init; }

    public double Rate { get; init; }

    public string? Missing { get; init; }

    public IReadOnlyList<string> Tags { get; init; } = ["a"];

    public int Throws => throw new InvalidOperationException("a getter that throws is left out");
}

public sealed class R60ChargesQuota : IWork<int, int>
{
    public int Execute(int input)
    {
        if (input != 2)
        {
            return input;
        }

        var e = new R60QuotaException("quota exceeded for tenant-7", Charge(-5))
        {
            Remaining = 3,
            Period = R60Period.Monthly,
            ResetsAt = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero),
            Rate = 1.5,
        };
        e.Data["tenant"] = "tenant-7";
        e.Data["attempt"] = 42;
        throw e;
    }

    private static ArgumentOutOfRangeException Charge(int amount) => new(nameof(amount), amount, "negative");
}

public sealed class R60HugeException() : Exception("huge")
{
    public string Huge { get; } = new('x', 1_000_000);
}

public sealed class R60ThrowsHuge : IWork<int, int>
{
    public int Execute(int input)
    {
        var e = new R60HugeException();
        for (var i = 0; i < 10_000; i++)
        {
            e.Data["k" + i] = new string('y', 1_000);
        }

        throw e;
    }
}
