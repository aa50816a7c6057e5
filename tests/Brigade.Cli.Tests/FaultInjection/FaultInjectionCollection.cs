namespace Brigade.Cli.Tests.FaultInjection;

/// <summary>
/// Fault injection (kills at random moments, long streams): kept apart from the unit tests, run one after the other
/// (each starts many processes), but part of the normal <c>dotnet test</c>. Select them with
/// <c>--filter Category=FaultInjection</c>, or leave them out with <c>--filter Category!=FaultInjection</c>.
/// </summary>
[CollectionDefinition(nameof(FaultInjectionCollection))]
public sealed class FaultInjectionCollection;
