/**
 * The Switchboard runtime. It exports the API an application or the server builds on (the facade, the records,
 * the storage and model ports, events, tools, the scripted assistant) and keeps the run engine,
 * {@code dev.switchboard.scheduling}, to itself.
 */
module dev.switchboard.runtime {
    requires transitive com.fasterxml.jackson.databind;
    requires java.logging;
    requires org.quartz;

    exports dev.switchboard;
    exports dev.switchboard.agent;
    exports dev.switchboard.assistant;
    exports dev.switchboard.checkpoint;
    exports dev.switchboard.cluster;
    exports dev.switchboard.cron;
    exports dev.switchboard.event;
    exports dev.switchboard.message;
    exports dev.switchboard.model;
    exports dev.switchboard.operation;
    exports dev.switchboard.run;
    exports dev.switchboard.scripted;
    exports dev.switchboard.store;
    exports dev.switchboard.thread;
    exports dev.switchboard.tool;
}
