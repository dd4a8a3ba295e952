using System.Globalization;
using System.Text.RegularExpressions;

namespace AppWithModel.Recognition;

/// <summary>
/// What the smart-home hub does for each phrase of the grammar (<see cref="PhraseGrammar"/>): a device and a
/// command, e.g. <c>turn on the kitchen lights</c> → <c>kitchen lights: on</c>, <c>set a timer for five minutes</c> →
/// <c>timer: 5 min</c>. Questions become <c>answer: ...</c>; a phrase no rule knows maps to itself.
/// </summary>
public static partial class PhraseActions
{
    private static readonly Dictionary<string, string> Fixed = new(StringComparer.Ordinal)
    {
        ["play music"] = SmartHomeActions.For("go"),
        ["resume the music"] = SmartHomeActions.For("go"),
        ["stop the music"] = SmartHomeActions.For("stop"),
        ["pause the music"] = "pause playback",
        ["next song"] = SmartHomeActions.For("right"),
        ["previous song"] = SmartHomeActions.For("left"),
        ["volume up"] = SmartHomeActions.For("up"),
        ["volume down"] = SmartHomeActions.For("down"),
        ["mute"] = "volume: mute",
        ["unmute"] = "volume: unmute",
        ["brighten the lights"] = "lights: brighten",
        ["turn up the heat"] = "heating: warmer",
        ["make it warmer"] = "heating: warmer",
        ["turn down the heat"] = "heating: cooler",
        ["make it cooler"] = "heating: cooler",
        ["arm the alarm"] = "security: arm",
        ["disarm the alarm"] = "security: disarm",
        ["cancel the timer"] = "timer: cancel",
        ["cancel the alarm"] = "alarm: cancel",
        ["read the news"] = "news: read",
        ["turn off everything"] = "everything: off",
        ["good morning"] = "routine: morning",
        ["good night"] = "routine: night",
        ["i'm home"] = "routine: arriving home",
        ["i'm leaving"] = "routine: leaving home",
    };

    private static readonly string[] Numbers =
    [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen",
        "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty",
    ];

    /// <summary>The action for a phrase of the grammar.</summary>
    public static string For(string phrase)
    {
        if (Fixed.TryGetValue(phrase, out var action))
        {
            return action;
        }

        if (Question().IsMatch(phrase))
        {
            return $"answer: {phrase}?";
        }

        var m = TurnOnOff().Match(phrase);
        if (m.Success)
        {
            return $"{m.Groups[2].Value}: {m.Groups[1].Value}";
        }

        m = Timer().Match(phrase);
        if (m.Success)
        {
            return string.Create(CultureInfo.InvariantCulture, $"timer: {Number(m.Groups[1].Value)} min");
        }

        m = Alarm().Match(phrase);
        if (m.Success)
        {
            return string.Create(CultureInfo.InvariantCulture, $"alarm: {Number(m.Groups[1].Value)}:00");
        }

        m = Temperature().Match(phrase);
        if (m.Success)
        {
            return string.Create(CultureInfo.InvariantCulture, $"thermostat: {Number(m.Groups[1].Value)} °C");
        }

        m = VerbTheDevice().Match(phrase);
        return m.Success ? $"{m.Groups[2].Value}: {m.Groups[1].Value}" : phrase;
    }

    /// <summary>A number in words up to 99 ("twenty one" → 21); -1 when it is not one.</summary>
    private static int Number(string words)
    {
        var total = 0;
        foreach (var word in words.Split(' '))
        {
            var n = word == "thirty" ? 30 : Array.IndexOf(Numbers, word);
            if (n < 0)
            {
                return -1;
            }

            total += n;
        }

        return total;
    }

    [GeneratedRegex("^(what|what's|how|is|are|will) ")]
    private static partial Regex Question();

    [GeneratedRegex("^turn (on|off) (?:all )?the (.+)$")]
    private static partial Regex TurnOnOff();

    [GeneratedRegex("^set a timer for (.+) minutes?$")]
    private static partial Regex Timer();

    [GeneratedRegex("^set an alarm for (.+) o'clock$")]
    private static partial Regex Alarm();

    [GeneratedRegex("^set the temperature to (.+) degrees$")]
    private static partial Regex Temperature();

    [GeneratedRegex("^(dim|open|close|lock|unlock|start|stop) the (.+)$")]
    private static partial Regex VerbTheDevice();
}
