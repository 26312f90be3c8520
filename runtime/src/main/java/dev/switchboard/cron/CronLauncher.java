package dev.switchboard.cron;

import dev.switchboard.run.Run;

/** Starts the run of one firing of a cron, through the runtime's normal run admission, as the cron's owner. */
@FunctionalInterface
public interface CronLauncher {
    Run launch(Cron cron);
}
