using Brigade.Cli.Demo.Model;

namespace Brigade.Cli.Demo;

/// <summary>One experiment of <c>brigade demo</c>: it runs live, measures, and concludes.</summary>
internal interface IDemoScene
{
    /// <summary>Gets the stable id used by <c>--only</c> and in the JSON document.</summary>
    string Id { get; }

    /// <summary>Gets the scene's heading.</summary>
    string Title { get; }

    /// <summary>Gets whether the scene runs by default; opt-in scenes run only when named with <c>--only</c> or their own flag.</summary>
    bool RunsByDefault => true;

    /// <summary>Runs the experiment and returns its measured runs and conclusion.</summary>
    Task<SceneResult> RunAsync(DemoContext context, CancellationToken cancellationToken);
}
