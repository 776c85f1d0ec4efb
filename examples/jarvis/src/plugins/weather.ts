import type { Plugin } from './types.js';

/** Typical conditions (climate normals, rounded): offline data, not a live forecast. */
const CLIMATE: Record<string, { name: string; tempC: number; conditions: string }> = {
  bangkok: {
    name: 'Bangkok',
    tempC: 29,
    conditions: 'hot and humid with a chance of afternoon thunderstorms',
  },
  london: { name: 'London', tempC: 12, conditions: 'mild and cloudy with light rain at times' },
  paris: { name: 'Paris', tempC: 13, conditions: 'mild with scattered clouds' },
  tokyo: { name: 'Tokyo', tempC: 16, conditions: 'mild and partly sunny' },
  berlin: { name: 'Berlin', tempC: 10, conditions: 'cool and overcast' },
  'new york': { name: 'New York', tempC: 13, conditions: 'cool with a breeze' },
  sydney: { name: 'Sydney', tempC: 18, conditions: 'sunny and pleasant' },
  singapore: { name: 'Singapore', tempC: 28, conditions: 'hot and humid with showers' },
  moscow: { name: 'Moscow', tempC: 6, conditions: 'cold and grey' },
  cairo: { name: 'Cairo', tempC: 22, conditions: 'dry and sunny' },
};

const NATURAL = /\bweather\b.*?\b(?:in|for|at)\s+([a-z][a-z .'-]*?)\s*(?:please|jarvis|today|now)?[?.!]*$/i;

/**
 * `/weather <city>`: typical conditions from a built-in table, so it answers offline (a live forecast
 * service would need the internet); spoken as "what is the weather in Bangkok".
 */
export function weatherPlugin(): Plugin {
  return {
    name: 'weather',
    description: 'Typical weather for a city (offline climate table)',
    version: '1.0.0',
    commands: ['weather'],
    grammar: {
      phrases: ['[what is the | how is the] weather [like] (in | for) <weather_city>'],
      rules: { weather_city: Object.keys(CLIMATE).join(' | ') },
    },
    match(text) {
      const m = NATURAL.exec(text);
      return m ? m[1].trim() : undefined;
    },
    handle(args) {
      const city = args.trim().toLowerCase().replace(/\s+/g, ' ');
      if (!city) return 'Which city? For example: /weather Bangkok.';
      const c = CLIMATE[city];
      if (!c) return `I have no offline weather data for ${args.trim()}.`;
      return `Weather in ${c.name}: typically ${c.tempC} degrees Celsius, ${c.conditions}. This is offline climate data, not a live forecast.`;
    },
  };
}
