package dev.switchboard.telco;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TelcoSettingsTest {

    @Test
    void theTimeScale_multipliesNominalDurations() {
        assertThat(TelcoSettings.ofScale(0.01).scaled(Duration.ofSeconds(10))).isEqualTo(Duration.ofMillis(100));
        assertThat(TelcoSettings.defaults().scaled(Duration.ofSeconds(8))).isEqualTo(Duration.ofSeconds(8));
        assertThat(TelcoSettings.ofScale(0).scaled(Duration.ofSeconds(6))).isEqualTo(Duration.ZERO);
    }

    @Test
    void theEnvironmentValue_fallsBackToOne_whenMissingOrNonsense() {
        assertThat(TelcoSettings.parseScale(null)).isEqualTo(1.0);
        assertThat(TelcoSettings.parseScale(" 0.01 ")).isEqualTo(0.01);
        assertThat(TelcoSettings.parseScale("0")).isEqualTo(0.0);
        assertThat(TelcoSettings.parseScale("fast")).isEqualTo(1.0);
        assertThat(TelcoSettings.parseScale("-2")).isEqualTo(1.0);
        assertThat(TelcoSettings.parseScale("NaN")).isEqualTo(1.0);
    }

    @Test
    void aNegativeOrInfiniteScale_isRejected() {
        assertThatThrownBy(() -> TelcoSettings.ofScale(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TelcoSettings.ofScale(Double.POSITIVE_INFINITY)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theSleepingPacer_honoursInterruption_evenForAZeroPause() {
        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> TelcoSettings.Pacer.SLEEP.pause(Duration.ZERO)).isInstanceOf(InterruptedException.class);
        assertThat(Thread.interrupted()).isFalse();
    }
}
