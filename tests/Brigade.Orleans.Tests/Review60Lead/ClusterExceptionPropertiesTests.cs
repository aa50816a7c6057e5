using Brigade.Engines.Remote;
using Brigade.Orleans.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Brigade.Orleans.Tests.Review60Lead;

/// <summary>
/// Review 60: lib60 carried an exception's public scalar properties and <see cref="Exception.Data"/> entries from worker
/// processes as text; through silos they were still lost (the cluster's <see cref="RemoteErrorData"/> had no field for
/// them): a <c>QuotaException.Remaining</c> crossed as nothing.
/// </summary>
[Collection("cluster")]
public sealed class ClusterExceptionPropertiesTests(ClusterFixture fixture)
{
    [Fact(Timeout = 60_000)]
    public async Task ACustomExceptionsPropertiesAndData_CrossASilo_AsText()
    {
        var result = await Runner.MapAsync(Enumerable.Range(0, 4), new R60LeadChargesQuota(), new RunOptions { Engine = fixture.Engine });

        var failure = Assert.Single(result.Failures);
        Assert.Equal(2, failure.Index);
        var remote = Assert.IsType<RemoteWorkException>(failure.Exception);
        Assert.Equal(typeof(R60LeadQuotaException).FullName, remote.RemoteType);
        Assert.Equal("3", remote.RemoteProperties["Remaining"]);
        Assert.Equal("tenant-7", remote.Data["tenant"]);
        var inner = Assert.IsType<RemoteWorkException>(remote.InnerException);
        Assert.Equal("input", inner.RemoteProperties["ParamName"]);
    }

    [Fact]
    public void WhatASiloSends_IsHeldToTheSameBounds()
    {
        var serializer = fixture.Cluster.Client.ServiceProvider.GetRequiredService<Serializer>();
        var huge = new RemoteErrorData
        {
            Message = "m",
            Properties = [.. Enumerable.Range(0, 100).Select(i => new KeyValuePair<string, string>(new string('p', 500) + i, new string('v', 100_000)))],
        };

        var error = serializer.Deserialize<RemoteErrorData>(serializer.SerializeToArray(huge))!.ToError();

        Assert.Equal(ExceptionFields.MaxEntries, error.Properties!.Count);
        Assert.All(error.Properties, p => Assert.True(p.Key.Length <= ExceptionFields.MaxName && p.Value.Length <= ExceptionFields.MaxValue, $"{p.Key.Length}/{p.Value.Length}"));
        Assert.Null(error.Data);
    }
}

public sealed class R60LeadQuotaException(string message, Exception inner) : Exception(message, inner)
{
    public int Remaining { get; init; }
}

public sealed class R60LeadChargesQuota : IWork<int, int>
{
    public int Execute(int input)
    {
        if (input != 2)
        {
            return input;
        }

        var e = new R60LeadQuotaException("quota exceeded", new ArgumentOutOfRangeException(nameof(input), -5, "negative")) { Remaining = 3 };
        e.Data["tenant"] = "tenant-7";
        throw e;
    }
}
