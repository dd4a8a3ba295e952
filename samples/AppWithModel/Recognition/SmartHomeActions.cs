namespace AppWithModel.Recognition;

/// <summary>What the smart-home hub does for each recognised word (Speech Commands vocabulary); other labels map to themselves.</summary>
public static class SmartHomeActions
{
    private static readonly Dictionary<string, string> Actions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["on"] = "lights on",
        ["off"] = "lights off",
        ["up"] = "volume up",
        ["down"] = "volume down",
        ["left"] = "previous track",
        ["right"] = "next track",
        ["stop"] = "stop playback",
        ["go"] = "start playback",
        ["yes"] = "confirm",
        ["no"] = "cancel",
        ["_silence_"] = "(silence)",
        ["silence"] = "(silence)",
        ["_unknown_"] = "(not a command)",
        ["unknown"] = "(not a command)",
    };

    /// <summary>The action for a label.</summary>
    public static string For(string label) => Actions.TryGetValue(label, out var action) ? action : label;

    /// <summary>Whether the label means "no command" (silence or an unknown word).</summary>
    public static bool IsNoCommand(string label) => For(label).StartsWith('(');
}
