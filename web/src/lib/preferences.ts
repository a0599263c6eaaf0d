import { create } from 'zustand';
import { persist } from 'zustand/middleware';

/** The user's own preferences kept in this browser (never a secret): the model a new prompt uses. */
interface Preferences {
  /** `provider/model`, or '' for the server's default (WRIGHT_DEFAULT_MODEL). */
  defaultModel: string;
  setDefaultModel(model: string): void;
}

export const usePreferences = create<Preferences>()(
  persist((set) => ({ defaultModel: '', setDefaultModel: (defaultModel) => set({ defaultModel }) }), { name: 'wright.preferences' }),
);
