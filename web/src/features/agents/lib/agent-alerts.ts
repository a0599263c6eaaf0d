import { create } from 'zustand';
import { useNotices } from '@/lib/notifications';
import type { AgentBoardEvent } from '../api';
import { agentLabel, waitingOnText } from './format';

/** An alert the board raised: an agent needs input, or finished its task. */
export interface AgentAlert {
  id: number;
  agentId: string;
  kind: 'input' | 'done';
  title: string;
  body: string;
  at: number;
}

/** Fewest milliseconds between two alerts of one kind for one agent (a chatty agent must not flood the user). */
export const alertInterval = 15_000;

const soundKey = 'wright.agents.sound';

interface AlertStore {
  toasts: AgentAlert[];
  sound: boolean;
  dismiss(id: number): void;
  setSound(on: boolean): void;
}

/** Toasts on screen and the sound switch (kept in the browser). */
export const useAgentAlerts = create<AlertStore>((set) => ({
  toasts: [],
  sound: readSound(),
  dismiss: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
  setSound: (on) => {
    try {
      localStorage.setItem(soundKey, on ? 'on' : 'off');
    } catch {
      // Storage refused (private mode): the switch still holds for this page.
    }
    set({ sound: on });
  },
}));

function readSound(): boolean {
  try {
    return localStorage.getItem(soundKey) !== 'off';
  } catch {
    return true;
  }
}

let nextId = 1;
const lastAlertAt = new Map<string, number>();

/**
 * The alert an event calls for, if any: the agent's state moving to "needs input", or a completion
 * turn (Stop: the feed's state then reads idle, the task having closed, so the turn is the signal).
 */
export function alertFor(type: string, event: AgentBoardEvent): Omit<AgentAlert, 'id' | 'at'> | null {
  const name = agentLabel(event.agent);
  const where = event.agent.project.name;
  if (type === 'agent.state' && event.to === 'awaitingInput' && event.from !== 'awaitingInput') {
    const on = waitingOnText(event.agent.currentTask?.waitingOn);
    const question = event.agent.lastAgentText ? ` — ${clip(event.agent.lastAgentText, 120)}` : '';
    return { agentId: event.agent.id, kind: 'input', title: `${name} needs input`, body: `${where}: waiting on ${on}${question}` };
  }
  if (type === 'agent.turn' && event.turn?.intent === 'completion') {
    const said = event.turn.text ? clip(event.turn.text, 140) : 'Task complete.';
    return { agentId: event.agent.id, kind: 'done', title: `${name} finished`, body: `${where}: ${said}` };
  }
  return null;
}

/**
 * Raises an alert everywhere it belongs: the notification centre, a toast, a browser notification
 * (when allowed and the user is not looking at this page) and a sound. At most one per agent and
 * kind every {@link alertInterval}; returns whether it was raised.
 */
export function raiseAlert(alert: Omit<AgentAlert, 'id' | 'at'>, now = Date.now()): boolean {
  const key = `${alert.agentId}:${alert.kind}`;
  const last = lastAlertAt.get(key);
  if (last !== undefined && now - last < alertInterval) return false;
  lastAlertAt.set(key, now);

  const full: AgentAlert = { ...alert, id: nextId++, at: now };
  useNotices.getState().push({ kind: alert.kind === 'input' ? 'info' : 'success', title: alert.title, detail: alert.body, code: null });
  useAgentAlerts.setState((s) => ({ toasts: [full, ...s.toasts].slice(0, 4) }));
  setTimeout(() => useAgentAlerts.getState().dismiss(full.id), 8_000);

  if (typeof Notification !== 'undefined' && Notification.permission === 'granted' && (document.hidden || !document.hasFocus())) {
    try {
      const notification = new Notification(alert.title, { body: alert.body, tag: `wright-agent-${alert.agentId}`, icon: '/favicon.svg' });
      notification.onclick = () => {
        window.focus();
        window.location.assign(`/agents?agent=${alert.agentId}`);
      };
    } catch {
      // Some browsers allow notifications only from a service worker: the toast and the centre still show it.
    }
  }
  if (useAgentAlerts.getState().sound) chime(alert.kind);
  return true;
}

/** Forgets the rate limits (tests). */
export function resetAlertLimits(): void {
  lastAlertAt.clear();
}

let audio: AudioContext | null = null;

/** Made during a click (the enable button), so the browser lets it play later. */
export function primeSound(): void {
  if (typeof AudioContext === 'undefined') return;
  audio ??= new AudioContext();
  void audio.resume();
}

/** Two rising notes for "needs input", one soft note for "done"; synthesized, nothing fetched. */
function chime(kind: AgentAlert['kind']): void {
  if (!audio || audio.state !== 'running') return;
  const notes = kind === 'input' ? [660, 880] : [523];
  notes.forEach((frequency, i) => {
    const start = audio!.currentTime + i * 0.14;
    const oscillator = audio!.createOscillator();
    const gain = audio!.createGain();
    oscillator.type = 'sine';
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.15, start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.25);
    oscillator.connect(gain).connect(audio!.destination);
    oscillator.start(start);
    oscillator.stop(start + 0.3);
  });
}

function clip(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
