// The voice command recogniser is filled in by the MSBuild integration issue; this placeholder keeps the
// sample building from the start.
Console.WriteLine("AppWithModel: no compressed model is embedded yet.");
