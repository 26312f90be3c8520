/**
 * The offline telco model: a {@link dev.switchboard.model.ChatModel} that needs no network and answers at
 * once. {@link dev.switchboard.telco.offline.OfflineTelcoModel} recognises intents and slots in plain English
 * (paraphrases, typos, small talk), asks for what is missing, calls the telco tools the lane offers, answers
 * from their JSON results, and writes the synthesis after an operation. What it knows and says is data, in
 * {@code knowledge.json} beside these classes.
 */
package dev.switchboard.telco.offline;
