import { createContext, useContext } from 'react';
import type { AppSettings } from '../constants';

/** The app's jsonData, provided by the root page so every page can read it. */
export const SettingsContext = createContext<AppSettings>({});

export const useSettings = () => useContext(SettingsContext);
