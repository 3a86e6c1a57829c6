using System.Text.Json;
using System.Text.Json.Nodes;
using NUnit.Framework;
using PaliCuda.Checkpoint;
using PaliCuda.Generation;
using PaliCuda.Verification;

namespace PaliCuda.Tests.Verification;

/// <summary>
/// Fixtures may hold several cases, each with its tensor prefix, and list their tensors with or without the prefix.
/// Built here from tiny-pg2 by storing its one case twice, under two prefixes.
/// </summary>
public class MultiCaseFixtureTests
{
    private string _dir = "";

    [SetUp]
    public void MakeTwoCaseFixture()
    {
        _dir = Path.Combine(Path.GetTempPath(), "palicuda-multicase-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        foreach (var f in new[] { "config.json", "generation_config.json", "model.safetensors" })
            File.Copy(Path.Combine(TestPaths.TinyPg2, f), Path.Combine(_dir, f));
    }

    [TearDown]
    public void Remove() => Directory.Delete(_dir, recursive: true);

    private void WriteFixture(bool listPrefixedNames)
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(TestPaths.TinyPg2, FixtureComparison.ReferenceJson)))!.AsObject();
        var baseCase = json["cases"]![0]!;
        var names = json["tensors"]!.AsObject().Select(p => p.Key).ToList();
        var cases = new JsonArray();
        var tensors = new JsonObject();
        var writer = new SafetensorsWriter();
        using var source = SafetensorsFile.Open(Path.Combine(TestPaths.TinyPg2, FixtureComparison.ReferenceTensorsFile));
        foreach (var prefix in new[] { "first.", "second." })
        {
            var c = baseCase.DeepClone().AsObject();
            c["name"] = prefix.TrimEnd('.');
            c["tensor_prefix"] = prefix;
            cases.Add(c);
            foreach (var n in names)
            {
                var info = source.Describe(n);
                writer.Add(prefix + n, info.DType, info.Shape, source.GetBytes(n).ToArray());
                if (listPrefixedNames) tensors[prefix + n] = json["tensors"]![n]!.DeepClone();
                else tensors[n] = json["tensors"]![n]!.DeepClone();
            }
        }
        json["cases"] = cases;
        json["tensors"] = tensors;
        writer.Save(Path.Combine(_dir, FixtureComparison.ReferenceTensorsFile));
        File.WriteAllText(Path.Combine(_dir, FixtureComparison.ReferenceJson), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    [TestCase(true)]
    [TestCase(false)]
    public void EveryCaseIsComparedUnderItsOwnPrefix(bool listPrefixedNames)
    {
        WriteFixture(listPrefixedNames);
        var single = FixtureComparison.Run(TestPaths.TinyPg2, DeviceKind.Cpu);
        var report = FixtureComparison.Run(_dir, DeviceKind.Cpu);
        Assert.That(report.Cases.Select(c => c.Name), Is.EqualTo(new[] { "first", "second" }));
        Assert.That(report.TensorCount, Is.EqualTo(2 * single.TensorCount));
        Assert.That(report.AllPassed, Is.True, ComparisonFormatter.Format(report));
        Assert.That(report.ExpectedTokenCount, Is.EqualTo(2 * single.ExpectedTokenCount));
    }

    [Test]
    public void AReferenceJsonWithoutCasesIsAFixtureFormatError()
    {
        WriteFixture(listPrefixedNames: true);
        File.WriteAllText(Path.Combine(_dir, FixtureComparison.ReferenceJson), """{"tensors": {}}""");
        var e = Assert.Throws<FixtureFormatException>(() => FixtureComparison.Run(_dir, DeviceKind.Cpu));
        Assert.That(e!.Message, Does.Contain("'cases'").And.Contain(FixtureComparison.ReferenceJson));
    }

    [Test]
    public void AMissingReferenceTensorFileIsAFixtureFormatError()
    {
        WriteFixture(listPrefixedNames: true);
        File.Delete(Path.Combine(_dir, FixtureComparison.ReferenceTensorsFile));
        var e = Assert.Throws<FixtureFormatException>(() => FixtureComparison.Run(_dir, DeviceKind.Cpu));
        Assert.That(e!.Message, Does.Contain(FixtureComparison.ReferenceTensorsFile));
    }
}
