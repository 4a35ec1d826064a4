using AiConformance.Suite.Framework.Gangs;
using NUnit.Framework;

namespace AiConformance.Verification.Toolkit;

/// <summary>Finding the scheduler that runs the Coscheduling plugin from a KubeSchedulerConfiguration.</summary>
public sealed class SchedulerConfigurationTests
{
    // The shape of scheduler-plugins' chart configuration: a default profile and one enabling Coscheduling.
    private const string TwoProfiles = """
        apiVersion: kubescheduler.config.k8s.io/v1
        kind: KubeSchedulerConfiguration
        profiles:
        - schedulerName: default-scheduler
        - schedulerName: "scheduler-plugins-scheduler"
          plugins:
            multiPoint:
              enabled:
              - name: Coscheduling
          pluginConfig:
          - name: Coscheduling
            args:
              permitWaitingTimeSeconds: 10
        """;

    [Test]
    public void TheProfileEnablingThePluginGivesTheSchedulerName() =>
        Assert.That(SchedulerConfiguration.ProfileEnabling(TwoProfiles, "Coscheduling"), Is.EqualTo("scheduler-plugins-scheduler"));

    [Test]
    public void NoProfileEnablingThePluginOrNoSchedulerConfigurationGivesNone()
    {
        Assert.Multiple(() =>
        {
            Assert.That(SchedulerConfiguration.ProfileEnabling(TwoProfiles, "CapacityScheduling"), Is.Null);
            Assert.That(SchedulerConfiguration.ProfileEnabling("schedulerName: x\n- name: Coscheduling\n", "Coscheduling"), Is.Null,
                "text that is no KubeSchedulerConfiguration");
        });
    }
}
